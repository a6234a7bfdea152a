package rocketchat

import (
	"context"
	"errors"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// MarshalJSONTo implements [json.MarshalerTo] for encoding/json/v2, with
// Uptime in nanoseconds as encoding/json writes it.
func (s Statistics) MarshalJSONTo(enc *jsontext.Encoder) error {
	type plain Statistics
	return json.MarshalEncode(enc, plain(s), nanoDurations)
}

// UnmarshalJSONFrom implements [json.UnmarshalerFrom], the inverse of
// [Statistics.MarshalJSONTo].
func (s *Statistics) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	type plain Statistics
	return json.UnmarshalDecode(dec, (*plain)(s), nanoDurations)
}

// wireStatistics is the part of the statistics answer that Statistics
// holds; the answer has more than a hundred other members.
type wireStatistics struct {
	verdict            `json:",inline"`
	Version            string    `json:"version"`
	InstanceCount      int       `json:"instanceCount"`
	TotalUsers         int       `json:"totalUsers"`
	ActiveUsers        int       `json:"activeUsers"`
	OnlineUsers        int       `json:"onlineUsers"`
	AwayUsers          int       `json:"awayUsers"`
	OfflineUsers       int       `json:"offlineUsers"`
	TotalRooms         int       `json:"totalRooms"`
	TotalChannels      int       `json:"totalChannels"`
	TotalPrivateGroups int       `json:"totalPrivateGroups"`
	TotalDirect        int       `json:"totalDirect"`
	TotalMessages      int64     `json:"totalMessages"`
	CreatedAt          time.Time `json:"createdAt"`
	Process            struct {
		Uptime float64 `json:"uptime"` // seconds, fractional
	} `json:"process"`
}

func (w *wireStatistics) check() error {
	if _, ok := seconds(w.Process.Uptime); !ok {
		return errBadUptime
	}
	return nil
}

// Statistics returns the workspace's statistics (GET /api/v1/statistics),
// as the server last gathered them. It needs the view-statistics
// permission; without it the call fails with an *Error (403, or 400
// error-not-allowed on older servers).
func (c *Client) Statistics(ctx context.Context) (*Statistics, error) {
	var w wireStatistics
	if err := c.get(ctx, "v1/statistics", nil, &w); err != nil {
		return nil, err
	}
	uptime, _ := seconds(w.Process.Uptime)
	return &Statistics{
		Version: w.Version, InstanceCount: w.InstanceCount, Uptime: uptime,
		TotalUsers: w.TotalUsers, ActiveUsers: w.ActiveUsers, OnlineUsers: w.OnlineUsers,
		AwayUsers: w.AwayUsers, OfflineUsers: w.OfflineUsers,
		TotalRooms: w.TotalRooms, TotalChannels: w.TotalChannels,
		TotalPrivateGroups: w.TotalPrivateGroups, TotalDirect: w.TotalDirect,
		TotalMessages: w.TotalMessages, CreatedAt: w.CreatedAt,
	}, nil
}

var errBadUptime = errors.New("process uptime negative or out of range")
