package rocketchattest

import (
	stdjson "encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"strings"

	json "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// decodeParams reads a request body into dst, a pointer to a struct of
// parameters named by json tags, as the server's body parser does: a
// JSON object, or a form (curl -d user=...&password=...). Anything else
// reads as no parameters. Fields may be string, bool, []string, []any,
// any, *string or *bool; a pointer is nil when the body lacks the member
// or has it with another JSON type.
func decodeParams(r *http.Request, dst any) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/x-www-form-urlencoded" {
		if form, err := url.ParseQuery(string(body)); err == nil {
			setFormParams(dst, form)
		}
		return
	}
	if err := json.Unmarshal(body, dst, paramOptions); err != nil {
		// A body that is not one JSON object carries no parameters.
		v := reflect.ValueOf(dst).Elem()
		v.SetZero()
	}
}

// paramOptions decode as the server's JavaScript reads a parsed body:
// member names match exactly, the last of duplicate members wins,
// invalid UTF-8 is replaced rather than refused, and a member of
// another JSON type than the field's reads as the zero value, as a
// typeof check treats it.
var paramOptions = json.JoinOptions(
	json.WithUnmarshalers(json.JoinUnmarshalers(
		onlyKinds[string](`"`),
		onlyKinds[*string](`"`),
		onlyKinds[bool]("tf"),
		onlyKinds[*bool]("tf"),
		onlyKinds[[]string]("["),
		onlyKinds[[]any]("["),
		freeForm[[]any](),
		freeForm[any](),
	)),
	jsontext.AllowDuplicateNames(true),
	jsontext.AllowInvalidUTF8(true),
)

// onlyKinds decodes a T from JSON values of the given kinds only; any
// other value, null included, leaves T's zero value.
func onlyKinds[T any](kinds string) *json.Unmarshalers {
	return json.UnmarshalFromFunc(func(dec *jsontext.Decoder, v *T) error {
		if strings.IndexByte(kinds, byte(dec.PeekKind())) >= 0 {
			return errors.ErrUnsupported // decode as usual
		}
		var zero T
		*v = zero
		return dec.SkipValue()
	})
}

// freeForm decodes a free-form value afresh with encoding/json, whose
// values (float64 numbers, map[string]any objects) the store keeps and
// writes back; json/v2 would merge a repeated member into the value
// before it.
func freeForm[T any]() *json.Unmarshalers {
	return json.UnmarshalFromFunc(func(dec *jsontext.Decoder, v *T) error {
		raw, err := dec.ReadValue()
		if err != nil {
			return err
		}
		var fresh T
		if err := stdjson.Unmarshal(raw, &fresh); err != nil {
			return err
		}
		*v = fresh
		return nil
	})
}

// setFormParams fills dst from a form, whose values are all strings:
// string, *string and any fields take the first value of their name;
// the others keep their zero value, as for a JSON string.
func setFormParams(dst any, form url.Values) {
	v := reflect.ValueOf(dst).Elem()
	for i := range v.NumField() {
		name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ",")
		vals := form[name]
		if len(vals) == 0 {
			continue
		}
		s := reflect.ValueOf(vals[0])
		switch f := v.Field(i); {
		case s.Type().AssignableTo(f.Type()):
			f.Set(s)
		case f.Type() == reflect.TypeFor[*string]():
			f.Set(reflect.ValueOf(&vals[0]))
		}
	}
}

// value is *p, or T's zero value for a nil p.
func value[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}
