package rocketchat

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// list is a JSON array in an answer, decoded one item at a time through a
// single wire value W and converted to T. It refuses more items than max,
// so that an answer of many tiny items ("[{},{},...]") cannot make a call
// allocate far more than the answer's size bound.
type list[W, T any] struct {
	items   []T // nil until an array was read
	max     int
	convert func(*W) (T, error)
}

// newList is a list for an answer read within maxBytes.
func newList[W, T any](maxBytes int64, convert func(*W) (T, error)) list[W, T] {
	return list[W, T]{max: maxItems[T](maxBytes), convert: convert}
}

// decodedBudget is how many times the size bound of an answer
// ([WithMaxResponseBytes]) the values decoded from it may take. Real
// answers take about half their size once decoded.
const decodedBudget = 1

// maxItems is how many values of type T a list in one answer may hold.
func maxItems[T any](maxBytes int64) int {
	size := max(int64(reflect.TypeFor[T]().Size()), 1)
	return int(min(decodedBudget*maxBytes/size, math.MaxInt32))
}

// nilIfEmpty turns an empty list of an answer ("mentions":[]) into nil,
// so that the values the calls return compare equal to values written by
// hand (cmp.Diff, reflect.DeepEqual) without options.
func nilIfEmpty[S ~[]E, E any](s S) S {
	if len(s) == 0 {
		return nil
	}
	return s
}

// UnmarshalJSONFrom implements [json.UnmarshalerFrom].
func (l *list[W, T]) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	tok, err := dec.ReadToken()
	if err != nil {
		return err
	}
	switch tok.Kind() {
	case 'n':
		return nil
	case '[':
	default:
		return errors.New("want an array, got " + tok.Kind().String())
	}
	l.items = []T{}
	w := new(W)
	for dec.PeekKind() != ']' {
		if len(l.items) >= l.max {
			return ErrResponseTooLarge
		}
		var zero W
		*w = zero
		if err := json.UnmarshalDecode(dec, w, wireOptions); err != nil {
			return err
		}
		v, err := l.convert(w)
		if err != nil {
			return fmt.Errorf("item %d: %w", len(l.items), err)
		}
		if len(l.items) == cap(l.items) {
			// Double: append grows large slices by a quarter, which
			// would allocate five times the final size on the way.
			l.items = slices.Grow(l.items, len(l.items)+1)
		}
		l.items = append(l.items, v)
	}
	_, err = dec.ReadToken()
	return err
}
