//go:build tools

// Package tools pins etcd's server main package in this wrapper module so that
// `go mod tidy` records every module it needs in go.sum.  Since etcd v3.6 the
// `etcd` binary's main package is the root of the go.etcd.io/etcd/server/v3
// module (server/main.go calls etcdmain.Main(os.Args)); ../build.sh builds it
// with
//
//	go build -trimpath go.etcd.io/etcd/server/v3
//
// No code of our own is compiled into it.
package tools

import (
	_ "go.etcd.io/etcd/server/v3"
)
