package rocketchat

import (
	"errors"
	"reflect"
	"strconv"
	"time"

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
	n, err := readNumber(dec, parseSeconds, durationType, "want a number of seconds", "seconds negative or out of range")
	if err != nil {
		return err
	}
	*d = wireSeconds(n)
	return nil
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
