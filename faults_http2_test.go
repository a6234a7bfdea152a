package rocketchat_test

// Hostile HTTP/2 servers. net/http's HTTP/2 transport sends a request
// again after the server resets its stream with PROTOCOL_ERROR or
// REFUSED_STREAM, rewinding the body with GetBody. Go's own HTTP/2 server
// never sends such a reset from a handler, so these servers speak the
// frames themselves: they take the TLS connection over after the ALPN
// handshake (TLSNextProto) and answer each request, once read whole,
// with a reset or with a 200.

import (
	"context"
	"crypto/tls"
	"encoding/binary"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-rocketchat/rocketchat"
)

// HTTP/2 frame types and flags (RFC 9113, section 6).
const (
	h2FrameData     = 0x0
	h2FrameHeaders  = 0x1
	h2FrameRST      = 0x3
	h2FrameSettings = 0x4
	h2FramePing     = 0x6

	h2FlagEndStream  = 0x1
	h2FlagAck        = 0x1
	h2FlagEndHeaders = 0x4

	h2ErrProtocol = 0x1
)

const h2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

// resetServer is an HTTP/2 server over TLS that reads each request whole
// and then resets its stream with PROTOCOL_ERROR, resets times in all
// (every time when resets is negative), and answers body with a 200 after
// that. closeAfterReset also closes the connection after each reset.
type resetServer struct {
	*httptest.Server
	sends atomic.Int64 // request HEADERS frames received: one per send
}

func newResetServer(t *testing.T, resets int64, closeAfterReset bool, body string) *resetServer {
	t.Helper()
	rs := &resetServer{}
	var left atomic.Int64
	left.Store(resets)
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	srv.EnableHTTP2 = true
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.Config.TLSNextProto = map[string]func(*http.Server, *tls.Conn, http.Handler){
		"h2": func(_ *http.Server, conn *tls.Conn, _ http.Handler) {
			rs.serve(conn, &left, closeAfterReset, body)
		},
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	rs.Server = srv
	return rs
}

// serve speaks just enough HTTP/2 for net/http's client: the preface and
// settings, then requests; it returns (and net/http closes the
// connection) on any read error or after a reset when asked to.
func (rs *resetServer) serve(conn *tls.Conn, left *atomic.Int64, closeAfterReset bool, body string) {
	preface := make([]byte, len(h2Preface))
	if _, err := io.ReadFull(conn, preface); err != nil || string(preface) != h2Preface {
		return
	}
	write := func(typ, flags byte, stream uint32, payload []byte) {
		var hdr [9]byte
		hdr[0], hdr[1], hdr[2] = byte(len(payload)>>16), byte(len(payload)>>8), byte(len(payload))
		hdr[3], hdr[4] = typ, flags
		binary.BigEndian.PutUint32(hdr[5:], stream)
		_, _ = conn.Write(append(hdr[:], payload...))
	}
	write(h2FrameSettings, 0, 0, nil)
	for {
		var hdr [9]byte
		if _, err := io.ReadFull(conn, hdr[:]); err != nil {
			return
		}
		n := int(hdr[0])<<16 | int(hdr[1])<<8 | int(hdr[2])
		typ, flags := hdr[3], hdr[4]
		stream := binary.BigEndian.Uint32(hdr[5:]) & 0x7fffffff
		payload := make([]byte, n)
		if _, err := io.ReadFull(conn, payload); err != nil {
			return
		}
		switch typ {
		case h2FrameSettings:
			if flags&h2FlagAck == 0 {
				write(h2FrameSettings, h2FlagAck, 0, nil)
			}
			continue
		case h2FramePing:
			if flags&h2FlagAck == 0 {
				write(h2FramePing, h2FlagAck, 0, payload)
			}
			continue
		case h2FrameHeaders:
			rs.sends.Add(1)
		case h2FrameData:
		default:
			continue
		}
		if flags&h2FlagEndStream == 0 {
			continue // the request is not whole yet
		}
		if left.Load() != 0 {
			left.Add(-1)
			write(h2FrameRST, 0, stream, binary.BigEndian.AppendUint32(nil, h2ErrProtocol))
			if closeAfterReset {
				return
			}
			continue
		}
		// 0x88 is ":status: 200" from HPACK's static table.
		write(h2FrameHeaders, h2FlagEndHeaders, stream, []byte{0x88})
		write(h2FrameData, h2FlagEndStream, stream, []byte(body))
	}
}

// h2Entries are the fault entries and Logout, a POST without a body,
// which the HTTP/2 transport would resend without having to rewind
// anything.
var h2Entries = append(append([]faultEntry(nil), faultEntries...), faultEntry{"Logout", http.MethodPost,
	func(ctx context.Context, c *rocketchat.Client) error { return c.Logout(ctx) }})

// TestFaultsHTTP2ResetAfterRequest: a server that reads each request
// whole and then resets its stream with PROTOCOL_ERROR, on every request
// or on the first 20, keeping the connection or closing it. net/http's
// HTTP/2 transport would send the request again and again (hundreds of
// times a second, a POST's body rewound through GetBody). A POST or a
// login reaches the server exactly once; a GET once per attempt of the
// retry policy, 1 + max in all, within the worst case of 4 × (1 + max).
// Both on the client's own transport (given the server's certificate)
// and on the caller's.
func TestFaultsHTTP2ResetAfterRequest(t *testing.T) {
	for _, transport := range []string{"own", "caller's"} {
		for _, resets := range []int64{-1, 20} {
			for _, closeAfter := range []bool{false, true} {
				for _, ep := range h2Entries {
					name := fmt.Sprintf("%s transport/resets %d/close %v/%s", transport, resets, closeAfter, ep.name)
					t.Run(name, func(t *testing.T) {
						ctx := faultCase(t)
						rs := newResetServer(t, resets, closeAfter, faultValidBody)
						tr := rs.Client().Transport.(*http.Transport)
						// Runs before the server's Close, which waits for
						// the connections the client keeps open.
						t.Cleanup(tr.CloseIdleConnections)
						opts := []rocketchat.Option{faultRetry, rocketchat.WithCredentials(rocketchat.Credentials{UserID: "u1", Token: "t1"})}
						if transport == "own" {
							own := rocketchat.OwnTransport().Clone()
							own.TLSClientConfig = tr.TLSClientConfig.Clone()
							t.Cleanup(own.CloseIdleConnections)
							rocketchat.UseOwnTransport(t, own)
						} else {
							opts = append(opts, rocketchat.WithHTTPClient(&http.Client{Transport: tr}))
						}
						c, err := rocketchat.NewClient(rs.URL, opts...)
						if err != nil {
							t.Fatal(err)
						}
						err = callBounded(t, ctx, 2*time.Second, func() error { return ep.call(ctx, c) })
						sends := rs.sends.Load()
						if ep.method == http.MethodPost {
							wantTransport(t, err)
							if sends != 1 {
								t.Errorf("%d sends, want exactly 1", sends)
							}
							return
						}
						// Every attempt is reset (20 is more than 1 + max).
						if sends != 1+faultRetryMax {
							t.Errorf("%d sends, want %d", sends, 1+faultRetryMax)
						}
						wantTransport(t, err)
						if max := int64(4 * (1 + faultRetryMax)); sends > max {
							t.Errorf("%d sends, beyond the worst case of %d", sends, max)
						}
					})
				}
			}
		}
	}
}

// TestFaultsHTTP2ResetOnceThenAnswer: one reset, then a 200. A GET is
// repeated by the retry policy and succeeds on its second send; a POST
// is not repeated.
func TestFaultsHTTP2ResetOnceThenAnswer(t *testing.T) {
	for _, ep := range h2Entries {
		t.Run(ep.name, func(t *testing.T) {
			ctx := faultCase(t)
			rs := newResetServer(t, 1, false, faultValidBody)
			tr := rs.Client().Transport.(*http.Transport)
			t.Cleanup(tr.CloseIdleConnections)
			c := newFaultClientOn(t, rs.URL, tr)
			err := callBounded(t, ctx, 2*time.Second, func() error { return ep.call(ctx, c) })
			if ep.method == http.MethodPost {
				wantTransport(t, err)
				wantSends(t, rs, 1)
				return
			}
			if err != nil {
				t.Errorf("err = %v, want the second attempt's answer", err)
			}
			wantSends(t, rs, 2)
		})
	}
}

func newFaultClientOn(t *testing.T, baseURL string, tr http.RoundTripper) *rocketchat.Client {
	t.Helper()
	c, err := rocketchat.NewClient(baseURL, faultRetry, rocketchat.WithHTTPClient(&http.Client{Transport: tr}),
		rocketchat.WithCredentials(rocketchat.Credentials{UserID: "u1", Token: "t1"}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func wantSends(t *testing.T, rs *resetServer, want int64) {
	t.Helper()
	if got := rs.sends.Load(); got != want {
		t.Errorf("%d sends reached the server, want %d", got, want)
	}
}
