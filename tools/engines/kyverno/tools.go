//go:build tools

// Package tools pins Kyverno's CLI (kubectl-kyverno, run as `kyverno`),
// cosign v2's CLI and policy-controller's tester (run as `policy-tester`) in this wrapper module so that `go mod tidy` records every
// module they need in go.sum.  They share the Sigstore and go-containerregistry
// libraries, so a cold build compiles those once.  ../build.sh builds the
// upstream main packages with
//
//	go build -trimpath github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno
//	go build -trimpath github.com/sigstore/cosign/v2/cmd/cosign
//	go build -trimpath github.com/sigstore/policy-controller/cmd/tester
//
// No code of our own is compiled into it.
package tools

import (
	_ "github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno"
	_ "github.com/sigstore/cosign/v2/cmd/cosign"
	_ "github.com/sigstore/policy-controller/cmd/tester"
)
