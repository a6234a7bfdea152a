//go:build !unix

package rocketchat_test

import "time"

// processCPU is not measured here; BenchmarkCompare then reports wall
// time only.
func processCPU() (time.Duration, bool) { return 0, false }
