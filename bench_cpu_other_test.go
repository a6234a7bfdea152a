//go:build !unix

package rocketchat_test

import "time"

// processCPU and processSwitches are not measured here; BenchmarkCompare
// then reports wall time only, and BenchmarkSteps no context switches.
func processCPU() (time.Duration, bool) { return 0, false }

func processSwitches() int64 { return -1 }
