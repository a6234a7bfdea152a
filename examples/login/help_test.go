package main

import (
	"testing"

	"github.com/go-rocketchat/rocketchat/internal/exampletest"
)

func TestMain(m *testing.M) { exampletest.Main(m, "login", main) }

// TestHelpExitsZero: asking for help prints the usage and exits 0, as Go
// programs do; an unknown flag still fails.
func TestHelpExitsZero(t *testing.T) { exampletest.CheckHelp(t, "login", "-url") }
