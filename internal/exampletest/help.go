// Package exampletest checks the example programs as a shell runs them.
package exampletest

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// argsEnv, when set, makes a test binary run the program's main with its
// words as arguments instead of the tests, so that the exit status can
// be checked as a shell sees it.
const argsEnv = "EXAMPLE_MAIN_ARGS"

// Main is the TestMain of an example program named name.
func Main(m *testing.M, name string, main func()) {
	if args, ok := os.LookupEnv(argsEnv); ok {
		os.Args = append([]string{name}, strings.Fields(args)...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// CheckHelp checks that asking the program for help prints its usage,
// which names flag, and exits 0, as Go programs do, and that an unknown
// flag still fails. The test binary must use Main.
func CheckHelp(t *testing.T, name, flag string) {
	t.Helper()
	for _, arg := range []string{"-h", "-help", "--help"} {
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), argsEnv+"="+arg)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			t.Errorf("%s %s: %v, want exit status 0; stderr: %s", name, arg, err, stderr.String())
		}
		if !strings.Contains(stderr.String(), "Usage of "+name) || !strings.Contains(stderr.String(), flag) {
			t.Errorf("%s %s printed %q, want the usage", name, arg, stderr.String())
		}
	}
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), argsEnv+"=-no-such-flag")
	var exitErr *exec.ExitError
	if err := cmd.Run(); !errors.As(err, &exitErr) || exitErr.ExitCode() != 1 {
		t.Errorf("%s -no-such-flag: %v, want exit status 1", name, err)
	}
}
