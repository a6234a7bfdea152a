package rocketchat_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/go-rocketchat/rocketchat"
)

func TestStatistics(t *testing.T) {
	f := newFakeAPI(t)
	f.answer("v1/statistics", http.StatusOK, "statistics.json")
	got, err := f.client().Statistics(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := &rocketchat.Statistics{
		Version: "8.7.0", Uptime: 74*time.Second + 175832*time.Microsecond, // kept to the microsecond
		CreatedAt: at(t, "2026-08-03T12:10:31.265Z"),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Statistics (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]sentRequest{wantGet("v1/statistics", url.Values{})}, f.sent()); diff != "" {
		t.Errorf("request (-want +got):\n%s", diff)
	}
}

func TestStatisticsFigures(t *testing.T) {
	f := newFakeAPI(t)
	f.handle("v1/statistics", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, 200, []byte(`{"_id":"6a708537c8fc3c65b1808baf","version":"6.13.1","totalUsers":120,"activeUsers":100,`+
			`"onlineUsers":7,"awayUsers":3,"offlineUsers":90,"totalRooms":40,"totalChannels":20,"totalPrivateGroups":12,`+
			`"totalDirect":8,"totalMessages":5000000000,"instanceCount":3,"createdAt":"2024-07-05T02:55:40.526Z",`+
			`"process":{"nodeVersion":"v14.21.3","pid":1,"uptime":8455403},"success":true}`))
	})
	got, err := f.client().Statistics(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := &rocketchat.Statistics{
		Version: "6.13.1", InstanceCount: 3, Uptime: 8455403 * time.Second,
		TotalUsers: 120, ActiveUsers: 100, OnlineUsers: 7, AwayUsers: 3, OfflineUsers: 90,
		TotalRooms: 40, TotalChannels: 20, TotalPrivateGroups: 12, TotalDirect: 8, TotalMessages: 5000000000,
		CreatedAt: at(t, "2024-07-05T02:55:40.526Z"),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Statistics (-want +got):\n%s", diff)
	}
}

func TestStatisticsErrorForms(t *testing.T) {
	for _, tt := range []struct {
		file   string
		status int
		is     error
	}{
		{"error_statistics_not_allowed.json", 400, nil},
		{"error_403_8x.json", 403, rocketchat.ErrForbidden},
		{"error_401_9x.json", 401, rocketchat.ErrUnauthorized},
	} {
		t.Run(tt.file, func(t *testing.T) {
			f := newFakeAPI(t)
			f.answer("v1/statistics", tt.status, tt.file)
			got, err := f.client().Statistics(context.Background())
			var e *rocketchat.Error
			if got != nil || !errors.As(err, &e) || e.StatusCode != tt.status {
				t.Fatalf("Statistics = %v, %v", got, err)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.is)
			}
		})
	}
}
