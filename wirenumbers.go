package rocketchat

import (
	"errors"
	"math"
	"strconv"
	"time"
)

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
