//go:build tools

// Package tools pins Kyverno's CLI (kubectl-kyverno, run as `kyverno`),
// cosign v2's CLI, policy-controller's tester (run as `policy-tester`) and
// Gatekeeper's gator in this wrapper module so that `go mod tidy` records every
// module they need in go.sum.  They share the Sigstore, go-containerregistry,
// OPA, controller-runtime and k8s.io libraries, so a cold build compiles those
// once.  ../build.sh builds the upstream main packages with
//
//	go build -trimpath github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno
//	go build -trimpath github.com/sigstore/cosign/v2/cmd/cosign
//	go build -trimpath github.com/sigstore/policy-controller/cmd/tester
//	go build -trimpath github.com/open-policy-agent/gatekeeper/v3/cmd/gator
//
// No code of our own is compiled into it.
package tools

import (
	_ "github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno"
	_ "github.com/open-policy-agent/gatekeeper/v3/cmd/gator"
	_ "github.com/sigstore/cosign/v2/cmd/cosign"
	_ "github.com/sigstore/policy-controller/cmd/tester"
)
