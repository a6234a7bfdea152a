package rocketchat

import (
	"bytes"
	"errors"
	"math"
	"reflect"
	"strconv"
	"time"
	"unicode/utf8"

	json "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// The wire types below decode what Rocket.Chat servers are known to send
// for one kind of value and reject everything else: a value of a kind no
// server sends is an error, never a silent zero. JSON null counts as
// absent everywhere. They read raw values straight from the decoder's
// buffer, so decoding a number or a date allocates nothing.

// Go types named in decode errors.
var (
	stringType   = reflect.TypeFor[string]()
	boolType     = reflect.TypeFor[bool]()
	intType      = reflect.TypeFor[int]()
	uint64Type   = reflect.TypeFor[uint64]()
	float64Type  = reflect.TypeFor[float64]()
	timeType     = reflect.TypeFor[time.Time]()
	durationType = reflect.TypeFor[time.Duration]()
	float3Type   = reflect.TypeFor[[3]float64]()
)

// wireTime is a date as Rocket.Chat sends it: an ISO-8601 string, with
// or without fractional seconds, or EJSON's {"$date": <epoch ms>}. It
// always decodes to UTC. It encodes as the server does,
// 2024-05-22T11:14:11.845Z, with more digits only when the time has
// sub-millisecond precision, so nothing is lost.
type wireTime time.Time

// wirePort is a TCP port written by JavaScript: a string ("3000") or a
// number. "undefined" (String(process.env.PORT) with no PORT set) and ""
// mean unknown, which is 0. It encodes as a string, as the server does.
type wirePort int

// jsString is a string written by JavaScript's String(), where the
// literal "undefined" stands for a value that was never set: it decodes
// to "".
type jsString string

// wireSeconds is a duration sent as a number of seconds, integer or
// fractional. It is read from the number's text exactly, never through a
// float64, and encodes as exact decimal seconds.
type wireSeconds time.Duration

// Year bounds of the expanded ISO-8601 form that JavaScript's
// Date.prototype.toISOString writes outside 0000 to 9999 (±YYYYYY).
const (
	minWireYear = -999999
	maxWireYear = 999999
)

// UnmarshalJSONFrom implements [json.UnmarshalerFrom].
func (t *wireTime) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	if dec.PeekKind() != '{' {
		return t.read(dec, false)
	}
	*t = wireTime{}
	found := false
	_, err := readObject(dec, timeType, func(name []byte) error {
		if string(name) != "$date" {
			return dec.SkipValue()
		}
		found = true
		return t.read(dec, true)
	})
	if err == nil && !found {
		return decodeError(dec, nil, timeType, `a date object without "$date"`)
	}
	return err
}

// read reads an ISO-8601 string or null and, as the value of "$date",
// epoch milliseconds as well.
func (t *wireTime) read(dec *jsontext.Decoder, inDate bool) error {
	v, err := dec.ReadValue()
	if err != nil {
		return err
	}
	switch v.Kind() {
	case 'n':
		*t = wireTime{}
		return nil
	case '"':
		tm, ok := parseTime(unquoteBytes(v))
		if !ok {
			return decodeError(dec, v, timeType, "not an ISO-8601 date and time")
		}
		*t = wireTime(tm)
		return nil
	case '0':
		if !inDate {
			break
		}
		ms, ns, ok := parseDecimal(v, 6)
		if ok {
			tm := time.Unix(ms/1000, (ms%1000)*1e6+ns).UTC()
			if y := tm.Year(); y >= minWireYear && y <= maxWireYear {
				*t = wireTime(tm)
				return nil
			}
		}
		return decodeError(dec, v, timeType, "epoch milliseconds out of range")
	}
	return decodeError(dec, v, timeType, `want an ISO-8601 string or {"$date": <epoch ms>}`)
}

// UnmarshalJSON implements the encoding/json Unmarshaler.
func (t *wireTime) UnmarshalJSON(b []byte) error { return json.Unmarshal(b, t) }

// MarshalJSONTo implements [json.MarshalerTo].
func (t wireTime) MarshalJSONTo(enc *jsontext.Encoder) error {
	var buf [40]byte
	b, err := appendTime(buf[:0], time.Time(t))
	if err != nil {
		return err
	}
	return enc.WriteValue(b)
}

// MarshalJSON implements the encoding/json Marshaler.
func (t wireTime) MarshalJSON() ([]byte, error) { return json.Marshal(t) }

// IsZero reports whether t is the zero time, for omitzero.
func (t wireTime) IsZero() bool { return time.Time(t).IsZero() }

// UnmarshalJSONFrom implements [json.UnmarshalerFrom].
func (p *wirePort) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	v, err := dec.ReadValue()
	if err != nil {
		return err
	}
	switch v.Kind() {
	case 'n':
		*p = 0
		return nil
	case '"':
		s := unquoteBytes(v)
		if len(s) == 0 || string(s) == "undefined" {
			*p = 0
			return nil
		}
		if n, ok := parsePort(s); ok {
			*p = wirePort(n)
			return nil
		}
		return decodeError(dec, v, intType, "not a port number (0 to 65535)")
	case '0':
		if n, ok := parsePort(v); ok {
			*p = wirePort(n)
			return nil
		}
		return decodeError(dec, v, intType, "not a port number (0 to 65535)")
	}
	return decodeError(dec, v, intType, "want a port number")
}

// UnmarshalJSON implements the encoding/json Unmarshaler.
func (p *wirePort) UnmarshalJSON(b []byte) error { return json.Unmarshal(b, p) }

// MarshalJSONTo implements [json.MarshalerTo].
func (p wirePort) MarshalJSONTo(enc *jsontext.Encoder) error {
	if err := checkPort(int(p)); err != nil {
		return err
	}
	var buf [8]byte
	b := append(buf[:0], '"')
	b = strconv.AppendInt(b, int64(p), 10)
	return enc.WriteValue(append(b, '"'))
}

// MarshalJSON implements the encoding/json Marshaler.
func (p wirePort) MarshalJSON() ([]byte, error) { return json.Marshal(p) }

// UnmarshalJSONFrom implements [json.UnmarshalerFrom].
func (s *jsString) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	v, err := dec.ReadValue()
	if err != nil {
		return err
	}
	switch v.Kind() {
	case 'n':
		*s = ""
		return nil
	case '"':
		b := unquoteBytes(v)
		if string(b) == "undefined" {
			*s = ""
			return nil
		}
		*s = jsString(knownString(b))
		return nil
	}
	return decodeError(dec, v, stringType, "want a string")
}

// UnmarshalJSON implements the encoding/json Unmarshaler.
func (s *jsString) UnmarshalJSON(b []byte) error { return json.Unmarshal(b, s) }

// MarshalJSONTo implements [json.MarshalerTo]. A real value spelled
// "undefined" cannot be told apart from an unset one on the wire, so it
// is an error rather than a value that would decode as "".
func (s jsString) MarshalJSONTo(enc *jsontext.Encoder) error {
	if s == "undefined" {
		return errors.New(`"undefined" would decode as an unknown value`)
	}
	return enc.WriteToken(jsontext.String(string(s)))
}

// MarshalJSON implements the encoding/json Marshaler.
func (s jsString) MarshalJSON() ([]byte, error) { return json.Marshal(s) }

// UnmarshalJSONFrom implements [json.UnmarshalerFrom].
func (d *wireSeconds) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	v, err := dec.ReadValue()
	if err != nil {
		return err
	}
	switch v.Kind() {
	case 'n':
		*d = 0
		return nil
	case '0':
		if n, ok := parseSeconds(v); ok {
			*d = wireSeconds(n)
			return nil
		}
		return decodeError(dec, v, durationType, "seconds negative or out of range")
	}
	return decodeError(dec, v, durationType, "want a number of seconds")
}

// UnmarshalJSON implements the encoding/json Unmarshaler.
func (d *wireSeconds) UnmarshalJSON(b []byte) error { return json.Unmarshal(b, d) }

// MarshalJSONTo implements [json.MarshalerTo].
func (d wireSeconds) MarshalJSONTo(enc *jsontext.Encoder) error {
	if d < 0 {
		return errors.New("negative seconds")
	}
	var buf [32]byte
	return enc.WriteValue(appendSeconds(buf[:0], time.Duration(d)))
}

// MarshalJSON implements the encoding/json Marshaler.
func (d wireSeconds) MarshalJSON() ([]byte, error) { return json.Marshal(d) }

// readObject reads the JSON object at the decoder, calling member with
// each name; member must read or skip exactly one value. It reports
// false for null, which stands for an absent object. name is only valid
// until member reads from the decoder.
func readObject(dec *jsontext.Decoder, t reflect.Type, member func(name []byte) error) (bool, error) {
	switch dec.PeekKind() {
	case '{':
	case 'n':
		_, err := dec.ReadToken()
		return false, err
	default:
		v, err := dec.ReadValue()
		if err != nil {
			return false, err
		}
		return false, decodeError(dec, v, t, "want an object")
	}
	if _, err := dec.ReadToken(); err != nil {
		return false, err
	}
	for dec.PeekKind() != '}' {
		name, err := dec.ReadValue() // also reports a peek error
		if err != nil {
			return false, err
		}
		if err := member(unquoteBytes(name)); err != nil {
			return false, err
		}
	}
	_, err := dec.ReadToken()
	return true, err
}

// readString reads a string; null is "".
func readString(dec *jsontext.Decoder) (string, error) {
	v, err := dec.ReadValue()
	if err != nil {
		return "", err
	}
	switch v.Kind() {
	case '"':
		return unquote(v), nil
	case 'n':
		return "", nil
	}
	return "", decodeError(dec, v, stringType, "want a string")
}

// readBool reads a boolean; null is false.
func readBool(dec *jsontext.Decoder) (bool, error) {
	v, err := dec.ReadValue()
	if err != nil {
		return false, err
	}
	switch v.Kind() {
	case 't':
		return true, nil
	case 'f', 'n':
		return false, nil
	}
	return false, decodeError(dec, v, boolType, "want a boolean")
}

// readInt reads an integer written without fraction or exponent; null is 0.
func readInt(dec *jsontext.Decoder) (int, error) {
	v, err := dec.ReadValue()
	if err != nil {
		return 0, err
	}
	switch v.Kind() {
	case 'n':
		return 0, nil
	case '0':
		if n, ok := parseInt(v); ok {
			return n, nil
		}
		return 0, decodeError(dec, v, intType, "not an integer in range")
	}
	return 0, decodeError(dec, v, intType, "want an integer")
}

// readUint64 reads a non-negative integer such as a byte count, which
// can exceed 2^53; null is 0.
func readUint64(dec *jsontext.Decoder) (uint64, error) {
	v, err := dec.ReadValue()
	if err != nil {
		return 0, err
	}
	switch v.Kind() {
	case 'n':
		return 0, nil
	case '0':
		if n, ok := parseUint(v); ok {
			return n, nil
		}
		return 0, decodeError(dec, v, uint64Type, "not an integer from 0 to 2^64-1")
	}
	return 0, decodeError(dec, v, uint64Type, "want an integer")
}

// readFloat reads a finite number.
func readFloat(dec *jsontext.Decoder) (float64, error) {
	v, err := dec.ReadValue()
	if err != nil {
		return 0, err
	}
	if v.Kind() != '0' {
		return 0, decodeError(dec, v, float64Type, "want a number")
	}
	f, err := strconv.ParseFloat(string(v), 64)
	if err != nil {
		return 0, decodeError(dec, v, float64Type, "number out of range")
	}
	return f, nil
}

// readFloat3 reads an array of exactly three numbers; null is three zeros.
func readFloat3(dec *jsontext.Decoder, dst *[3]float64) error {
	*dst = [3]float64{}
	switch dec.PeekKind() {
	case '[':
	case 'n':
		_, err := dec.ReadToken()
		return err
	default:
		v, err := dec.ReadValue()
		if err != nil {
			return err
		}
		return decodeError(dec, v, float3Type, "want an array of three numbers")
	}
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	n := 0
	for {
		k := dec.PeekKind()
		if k == ']' {
			break
		}
		if n == len(dst) && k != 0 { // k == 0: let readFloat report the syntax error
			return decodeError(dec, nil, float3Type, "more than three numbers")
		}
		f, err := readFloat(dec)
		if err != nil {
			return err
		}
		dst[n] = f
		n++
	}
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	if n != len(dst) {
		return decodeError(dec, nil, float3Type, "fewer than three numbers")
	}
	return nil
}

// decodeError reports a value that no server sends where the decoder
// just read it. The JSON pointer names the member, so the message says
// exactly which field was wrong.
func decodeError(dec *jsontext.Decoder, v jsontext.Value, t reflect.Type, why string) error {
	err := &json.SemanticError{JSONPointer: dec.StackPointer(), GoType: t, Err: errors.New(why)}
	if len(v) > 0 {
		err.JSONKind = v.Kind()
		if err.JSONKind == '"' || err.JSONKind == '0' {
			err.JSONValue = v.Clone()
		}
	}
	return err
}

// unquote returns the contents of the JSON string v, which the decoder
// has already validated.
func unquote(v jsontext.Value) string {
	return knownString(unquoteBytes(v))
}

// knownString returns b as a string, without allocating for the few
// values that nearly every instance record repeats.
func knownString(b []byte) string {
	switch string(b) {
	case "rocket.chat":
		return "rocket.chat"
	case "Linux":
		return "Linux"
	case "linux":
		return "linux"
	case "x64":
		return "x64"
	case "arm64":
		return "arm64"
	case "localhost":
		return "localhost"
	}
	return string(b)
}

// unquoteBytes is unquote without the copy when v holds no escapes and
// is valid UTF-8: the result then aliases v. Invalid bytes, which the
// client's decoder lets through, become U+FFFD as in encoding/json.
func unquoteBytes(v jsontext.Value) []byte {
	if bytes.IndexByte(v, '\\') < 0 && utf8.Valid(v) {
		return v[1 : len(v)-1]
	}
	b, _ := jsontext.AppendUnquote(nil, v)
	return b
}

// parseInt parses an optionally negative decimal integer that fits int.
func parseInt(b []byte) (int, bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	u, ok := parseUint(b)
	if !ok {
		return 0, false
	}
	if neg {
		if u > uint64(math.MaxInt)+1 {
			return 0, false
		}
		return int(-u), true
	}
	if u > math.MaxInt {
		return 0, false
	}
	return int(u), true
}

// parseUint parses a non-empty run of decimal digits that fits uint64.
func parseUint(b []byte) (uint64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	var n uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		if n > (math.MaxUint64-uint64(c-'0'))/10 {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	return n, true
}

// parsePort parses decimal digits that form a port number, 0 to 65535.
func parsePort(b []byte) (int, bool) {
	if len(b) == 0 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
		if n > math.MaxUint16 {
			return 0, false
		}
	}
	return n, true
}

// checkPort reports a port that the wire's port fields cannot carry.
func checkPort(p int) error {
	if p < 0 || p > math.MaxUint16 {
		return errors.New("port " + strconv.Itoa(p) + " outside 0 to 65535")
	}
	return nil
}

// parseSeconds parses a JSON number of seconds into a Duration, exactly
// to the nanosecond (rounding half away from zero past it).
func parseSeconds(b []byte) (time.Duration, bool) {
	whole, frac, ok := parseDecimal(b, 9)
	if !ok || whole < 0 || frac < 0 || whole > (math.MaxInt64-frac)/1e9 {
		return 0, false
	}
	return time.Duration(whole*1e9 + frac), true
}

// appendSeconds appends d, which is not negative, as exact decimal seconds.
func appendSeconds(dst []byte, d time.Duration) []byte {
	dst = strconv.AppendInt(dst, int64(d/time.Second), 10)
	frac := int64(d % time.Second)
	if frac == 0 {
		return dst
	}
	digits := 9
	for frac%10 == 0 {
		frac /= 10
		digits--
	}
	dst = append(dst, '.')
	return appendDigits(dst, frac, digits)
}

// parseDecimal parses the JSON number text b exactly, without going
// through a float64: it returns the whole units and the fraction counted
// in units of 10^-scale, rounded half away from zero; both carry the
// number's sign. Exponents are applied by moving the decimal point.
// ok is false when the whole units overflow int64 or b is not a number.
func parseDecimal(b []byte, scale int) (whole, frac int64, ok bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	i := 0
	for i < len(b) && isDigit(b[i]) {
		i++
	}
	intPart := b[:i]
	var fracPart []byte
	if i < len(b) && b[i] == '.' {
		j := i + 1
		for j < len(b) && isDigit(b[j]) {
			j++
		}
		if j == i+1 {
			return 0, 0, false
		}
		fracPart = b[i+1 : j]
		i = j
	}
	exp := 0
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		expNeg := false
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			expNeg = b[i] == '-'
			i++
		}
		start := i
		for ; i < len(b) && isDigit(b[i]); i++ {
			if exp < 1e6 { // far beyond any int64 either way
				exp = exp*10 + int(b[i]-'0')
			}
		}
		if i == start {
			return 0, 0, false
		}
		if expNeg {
			exp = -exp
		}
	}
	if i != len(b) || len(intPart) == 0 {
		return 0, 0, false
	}

	// Digit k of the mantissa (integer then fraction digits), with the
	// decimal point before digit point; positions outside are zeros.
	n := len(intPart) + len(fracPart)
	digit := func(k int) int64 {
		switch {
		case k < 0 || k >= n:
			return 0
		case k < len(intPart):
			return int64(intPart[k] - '0')
		default:
			return int64(fracPart[k-len(intPart)] - '0')
		}
	}
	first := 0
	for first < n && digit(first) == 0 {
		first++
	}
	if first == n {
		return 0, 0, true
	}
	point := len(intPart) + exp
	if point-first > 19 {
		return 0, 0, false
	}
	var u uint64
	for k := first; k < point; k++ {
		u = u*10 + uint64(digit(k)) // at most 19 digits: no uint64 overflow
	}
	var f int64
	for k := point; k < point+scale; k++ {
		f = f*10 + digit(k)
	}
	if digit(point+scale) >= 5 {
		f++
		if f == pow10(scale) {
			f = 0
			u++
		}
	}
	if u > math.MaxInt64 {
		return 0, 0, false
	}
	whole = int64(u)
	if neg {
		return -whole, -f, true
	}
	return whole, f, true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func pow10(n int) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}

// parseTime parses an ISO-8601 date and time as RFC 3339 defines it and
// as JavaScript writes it: a four-digit year or a signed six-digit one,
// optional fractional seconds (digits past nanoseconds are dropped), and
// Z or a ±hh:mm offset. The result is in UTC.
func parseTime(s []byte) (time.Time, bool) {
	p := timeParser{s: s, ok: true}
	year := 0
	switch {
	case len(s) > 0 && (s[0] == '+' || s[0] == '-'):
		p.i = 1
		year = p.num(6)
		if s[0] == '-' {
			year = -year
		}
	default:
		year = p.num(4)
	}
	p.lit('-')
	month := p.num(2)
	p.lit('-')
	day := p.num(2)
	p.lit('T')
	hour := p.num(2)
	p.lit(':')
	minute := p.num(2)
	p.lit(':')
	sec := p.num(2)
	nsec := 0
	if p.ok && p.i < len(s) && s[p.i] == '.' {
		p.i++
		start := p.i
		for p.i < len(s) && isDigit(s[p.i]) {
			if p.i-start < 9 {
				nsec = nsec*10 + int(s[p.i]-'0')
			}
			p.i++
		}
		if p.i == start {
			return time.Time{}, false
		}
		for k := p.i - start; k < 9; k++ {
			nsec *= 10
		}
	}
	offset := 0
	switch {
	case !p.ok || p.i >= len(s):
		return time.Time{}, false
	case s[p.i] == 'Z' || s[p.i] == 'z':
		p.i++
	case s[p.i] == '+' || s[p.i] == '-':
		sign := 1
		if s[p.i] == '-' {
			sign = -1
		}
		p.i++
		oh := p.num(2)
		p.lit(':')
		om := p.num(2)
		if oh > 23 || om > 59 {
			return time.Time{}, false
		}
		offset = sign * (oh*3600 + om*60)
	default:
		return time.Time{}, false
	}
	if !p.ok || p.i != len(s) || month < 1 || month > 12 || day < 1 ||
		day > daysIn(time.Month(month), year) || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	t = t.Add(-time.Duration(offset) * time.Second)
	if y := t.Year(); y < minWireYear || y > maxWireYear {
		return time.Time{}, false
	}
	return t, true
}

// timeParser walks a date string; after the first mismatch ok stays false.
type timeParser struct {
	s  []byte
	i  int
	ok bool
}

// num reads exactly n digits.
func (p *timeParser) num(n int) int {
	if !p.ok || p.i+n > len(p.s) {
		p.ok = false
		return 0
	}
	v := 0
	for _, c := range p.s[p.i : p.i+n] {
		if !isDigit(c) {
			p.ok = false
			return 0
		}
		v = v*10 + int(c-'0')
	}
	p.i += n
	return v
}

// lit reads the byte c, or its lower case when c is a letter.
func (p *timeParser) lit(c byte) {
	if !p.ok || p.i >= len(p.s) || (p.s[p.i] != c && p.s[p.i] != c|0x20) {
		p.ok = false
		return
	}
	p.i++
}

func daysIn(m time.Month, year int) int {
	switch m {
	case time.February:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

// appendTime appends t as a quoted ISO-8601 string in UTC with
// milliseconds, or with microseconds or nanoseconds when t has them.
func appendTime(dst []byte, t time.Time) ([]byte, error) {
	t = t.UTC()
	year, month, day := t.Date()
	hour, minute, sec := t.Clock()
	dst = append(dst, '"')
	switch {
	case year >= 0 && year <= 9999:
		dst = appendDigits(dst, int64(year), 4)
	case year >= minWireYear && year < 0:
		dst = appendDigits(append(dst, '-'), int64(-year), 6)
	case year > 9999 && year <= maxWireYear:
		dst = appendDigits(append(dst, '+'), int64(year), 6)
	default:
		return dst, errors.New("year " + strconv.Itoa(year) + " outside ISO-8601's ±999999")
	}
	dst = appendDigits(append(dst, '-'), int64(month), 2)
	dst = appendDigits(append(dst, '-'), int64(day), 2)
	dst = appendDigits(append(dst, 'T'), int64(hour), 2)
	dst = appendDigits(append(dst, ':'), int64(minute), 2)
	dst = appendDigits(append(dst, ':'), int64(sec), 2)
	ns := int64(t.Nanosecond())
	switch {
	case ns%1e6 == 0:
		dst = appendDigits(append(dst, '.'), ns/1e6, 3)
	case ns%1e3 == 0:
		dst = appendDigits(append(dst, '.'), ns/1e3, 6)
	default:
		dst = appendDigits(append(dst, '.'), ns, 9)
	}
	return append(dst, 'Z', '"'), nil
}

// appendDigits appends the non-negative n zero-padded to width digits.
func appendDigits(dst []byte, n int64, width int) []byte {
	var buf [20]byte
	i := len(buf)
	for n > 0 || i > len(buf)-width {
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
	}
	return append(dst, buf[i:]...)
}

// tokenWriter writes to an encoder until the first error, which it keeps,
// so that a long run of writes needs one check at the end.
type tokenWriter struct {
	enc *jsontext.Encoder
	err error
}

func (w *tokenWriter) token(t jsontext.Token) {
	if w.err == nil {
		w.err = w.enc.WriteToken(t)
	}
}

// member writes an object member whose value is a single token.
func (w *tokenWriter) member(name string, value jsontext.Token) {
	w.token(jsontext.String(name))
	w.token(value)
}

// marshal writes an object member whose value marshals itself.
func (w *tokenWriter) marshal(name string, value json.MarshalerTo) {
	w.token(jsontext.String(name))
	if w.err == nil {
		w.err = value.MarshalJSONTo(w.enc)
	}
}
