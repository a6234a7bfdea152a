package rocketchat

import (
	"bytes"
	"errors"
	"reflect"
	"strconv"
	"unicode/utf8"

	json "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// Readers of single JSON values for the hand-written decoders: each reads
// one value from the decoder's buffer and rejects a kind no server sends.

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
	return readNumber(dec, parseInt, intType, "want an integer", "not an integer in range")
}

// readUint64 reads a non-negative integer such as a byte count, which
// can exceed 2^53; null is 0.
func readUint64(dec *jsontext.Decoder) (uint64, error) {
	return readNumber(dec, parseUint, uint64Type, "want an integer", "not an integer from 0 to 2^64-1")
}

// readNumber reads a JSON number that parse accepts; null is the zero
// value. want says what a value of another kind should have been, bad why
// parse refused a number.
func readNumber[T any](dec *jsontext.Decoder, parse func([]byte) (T, bool), t reflect.Type, want, bad string) (T, error) {
	var zero T
	v, err := dec.ReadValue()
	if err != nil {
		return zero, err
	}
	switch v.Kind() {
	case 'n':
		return zero, nil
	case '0':
		if n, ok := parse(v); ok {
			return n, nil
		}
		return zero, decodeError(dec, v, t, bad)
	}
	return zero, decodeError(dec, v, t, want)
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
