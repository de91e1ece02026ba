//go:build tools

// Package tools pins Pulumi's Node.js language host in this wrapper module so
// that `go mod tidy` records every module it needs in go.sum.  ../build.sh
// builds the upstream main package; no code of our own is compiled into it.
package tools

import (
	_ "github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs"
)
