package rocketchat

import (
	"context"
	"fmt"
	"iter"
	"net/url"
	"strconv"
)

// pageSize is how many items a paging call asks for at a time (count).
const pageSize = 100

// page fetches the items from offset on, at most pageSize of them, and
// the total the answer reports (-1 when it reports none).
type page[T any] func(ctx context.Context, query url.Values) (items []T, total int, err error)

// paged walks a paged endpoint as the caller ranges over it: a page is
// fetched only when the items before it have been yielded, a break sends
// no further request, and the walk ends after the reported total or a
// short page. An error, the context's included, is yielded once as the
// last pair; the context is checked before every item, so cancelling it
// inside the loop ends the walk at the next item. name is the calling
// method, for that error. query holds the endpoint's own parameters (may
// be nil); count and offset are added to a copy for each page.
func paged[T any](ctx context.Context, name string, query url.Values, fetch page[T]) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		ended := func() bool {
			if err := ctx.Err(); err != nil {
				yield(zero, fmt.Errorf("rocketchat: %s: %w", name, err))
				return true
			}
			return false
		}
		for offset := 0; ; {
			if ended() {
				return
			}
			q := make(url.Values, len(query)+2)
			for k, v := range query {
				q[k] = v
			}
			q["count"] = []string{strconv.Itoa(pageSize)}
			q["offset"] = []string{strconv.Itoa(offset)}
			items, total, err := fetch(ctx, q)
			if err != nil {
				yield(zero, err)
				return
			}
			for _, it := range items {
				if ended() || !yield(it, nil) {
					return
				}
			}
			offset += len(items)
			if len(items) < pageSize || (total >= 0 && offset >= total) {
				return
			}
		}
	}
}
