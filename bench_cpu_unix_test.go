//go:build unix

package rocketchat_test

import (
	"syscall"
	"time"
)

// processCPU is the CPU time the process has used, user and system, on
// all its threads: the client's and the in-process server's work, but
// not the time the machine gave to other programs, which on a shared
// machine is most of the noise in a wall-clock time.
func processCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}

// processSwitches is how many times the kernel has switched the process's
// threads out, voluntarily (a thread waiting for the network or parked by
// the Go scheduler) or not, or -1 if getrusage fails.
func processSwitches() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return -1
	}
	return int64(ru.Nvcsw + ru.Nivcsw)
}
