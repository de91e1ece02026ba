//go:build tools

// Package tools pins Gatekeeper's gator CLI in this wrapper module so that
// `go mod tidy` records every module it needs in go.sum.  ../build.sh builds
// the upstream main package with
//
//	go build -trimpath github.com/open-policy-agent/gatekeeper/v3/cmd/gator
//
// No code of our own is compiled into it.
package tools

import (
	_ "github.com/open-policy-agent/gatekeeper/v3/cmd/gator"
)
