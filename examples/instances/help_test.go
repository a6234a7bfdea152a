package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// helpArgsEnv, when set, makes the test binary run main with its words
// as arguments instead of the tests, so that the exit status can be
// checked as a shell sees it.
const helpArgsEnv = "EXAMPLE_MAIN_ARGS"

func TestMain(m *testing.M) {
	if args, ok := os.LookupEnv(helpArgsEnv); ok {
		os.Args = append([]string{"instances"}, strings.Fields(args)...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestHelpExitsZero: asking for help prints the usage and exits 0, as Go
// programs do; an unknown flag still fails.
func TestHelpExitsZero(t *testing.T) {
	for _, arg := range []string{"-h", "-help", "--help"} {
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), helpArgsEnv+"="+arg)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			t.Errorf("instances %s: %v, want exit status 0; stderr: %s", arg, err, stderr.String())
		}
		if !strings.Contains(stderr.String(), "Usage of instances") || !strings.Contains(stderr.String(), "-url") {
			t.Errorf("instances %s printed %q, want the usage", arg, stderr.String())
		}
	}
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), helpArgsEnv+"=-no-such-flag")
	var exitErr *exec.ExitError
	if err := cmd.Run(); !errors.As(err, &exitErr) || exitErr.ExitCode() != 1 {
		t.Errorf("instances -no-such-flag: %v, want exit status 1", err)
	}
}
