//go:build tools

// Package tools pins Kyverno's CLI (kubectl-kyverno, run as `kyverno`) in this
// wrapper module so that `go mod tidy` records every module it needs in
// go.sum.  ../build.sh builds the upstream main package with
//
//	go build -trimpath github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno
//
// No code of our own is compiled into it.
package tools

import (
	_ "github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno"
)
