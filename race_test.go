//go:build race

package rocketchat_test

// raceEnabled: the race detector allocates on its own, so allocation
// bounds are not checked under it.
const raceEnabled = true
