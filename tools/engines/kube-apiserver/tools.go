//go:build tools

// Package tools pins k8s.io/kubernetes/cmd/kube-apiserver in this wrapper
// module so that `go mod tidy` records every module it needs in go.sum.
// The binary is the upstream main package, built by ../build.sh with
//
//	go build -trimpath k8s.io/kubernetes/cmd/kube-apiserver
//
// No code of our own is compiled into it.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
)
