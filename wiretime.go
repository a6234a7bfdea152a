package rocketchat

import (
	"errors"
	"strconv"
	"time"
)

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
