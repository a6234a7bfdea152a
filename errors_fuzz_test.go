package rocketchat

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

// maxErrorLine bounds Error(): the method, the path, the status, a code
// and a message cut at maxMessage bytes.
const maxErrorLine = 512

// FuzzNewError feeds newError any status, body and rate-limit headers. It
// must never panic; Error() must be one line of printable text of at most
// maxErrorLine bytes; a 401, 403, 404 or 429 must match its sentinel
// whatever the body says; RetryAfter must lie within [0, 24h].
//
// The seeds are the golden error bodies in testdata/ (under their own
// status and a few others) and the crashers the fuzzer found, in
// testdata/fuzz/FuzzNewError/; all of them run in every go test.
func FuzzNewError(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "error_*"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no golden error bodies in testdata/: %v", err)
	}
	statusInName := regexp.MustCompile(`_([1-5][0-9][0-9])(_|\.)`)
	for _, file := range files {
		body, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		status := http.StatusBadRequest // 2FA on an endpoint
		if m := statusInName.FindStringSubmatch(filepath.Base(file)); m != nil {
			status, _ = strconv.Atoi(m[1])
		} else if strings.Contains(file, "login") {
			status = http.StatusUnauthorized
		}
		for _, s := range []int{status, http.StatusOK, http.StatusForbidden, http.StatusTooManyRequests} {
			f.Add(s, body, "1767323068000", "Fri, 02 Jan 2026 03:04:05 GMT")
		}
	}
	f.Add(http.StatusTooManyRequests, []byte(`{"success":false,"error":"x [error-too-many-requests]"}`), "9223372036854775807", "")
	f.Add(http.StatusUnauthorized, []byte("{\"status\":\"error\",\"message\":\"a\nb\\u2028c\x00\xff\"}"), "-1", "garbage")
	f.Add(999, []byte(`{"success":false,"errorType":"totp-required","details":[1,2]}`), "", "")
	f.Add(http.StatusBadRequest, []byte(`{"success":false,"errorType":"error-\n\u001b[31m\u2028`+strings.Repeat("x", 600)+`"}`), "", "")
	f.Add(-1, []byte(nil), "", "")

	now := time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, status int, body []byte, reset, date string) {
		h := http.Header{}
		h.Set("X-RateLimit-Reset", reset)
		h.Set("Date", date)
		e := newError(http.MethodGet, "/api/v1/x", status, h, body, now)
		if e == nil {
			t.Fatal("newError returned nil")
		}
		if e.StatusCode != status {
			t.Errorf("StatusCode = %d, want %d", e.StatusCode, status)
		}
		line := e.Error()
		if len(line) > maxErrorLine {
			t.Errorf("Error() is %d bytes, want at most %d: %q", len(line), maxErrorLine, line)
		}
		if !utf8.ValidString(line) {
			t.Errorf("Error() is not valid UTF-8: %q", line)
		}
		for _, r := range line {
			if !unicode.IsPrint(r) {
				t.Errorf("Error() holds %U, which is not printable: %q", r, line)
				break
			}
		}
		if len(e.Message) > maxMessage+len("…") {
			t.Errorf("Message is %d bytes, want at most %d", len(e.Message), maxMessage+len("…"))
		}
		sentinel := map[int]error{
			http.StatusUnauthorized:    ErrUnauthorized,
			http.StatusForbidden:       ErrForbidden,
			http.StatusNotFound:        ErrNotFound,
			http.StatusTooManyRequests: ErrRateLimited,
		}
		if want, ok := sentinel[status]; ok && !errors.Is(e, want) {
			t.Errorf("status %d does not match %v: %v", status, want, e)
		}
		if status != http.StatusForbidden && errors.Is(e, ErrForbidden) {
			t.Errorf("status %d matches ErrForbidden", status)
		}
		if status != http.StatusNotFound && errors.Is(e, ErrNotFound) {
			t.Errorf("status %d matches ErrNotFound", status)
		}
		if e.RetryAfter < 0 || e.RetryAfter > 24*time.Hour {
			t.Errorf("RetryAfter = %v, want within [0, 24h]", e.RetryAfter)
		}
		if status != http.StatusTooManyRequests && e.RetryAfter != 0 {
			t.Errorf("RetryAfter = %v for status %d", e.RetryAfter, status)
		}
		twoFactor := e.Type == "totp-required" || e.Type == "totp-invalid"
		if twoFactor != (e.TwoFactor != nil) {
			t.Errorf("Type %q with TwoFactor %+v", e.Type, e.TwoFactor)
		}
	})
}
