//go:build tools

// Package tools pins the engines that share the Kubernetes libraries in one
// wrapper module, so that `go mod tidy` records every module they need in
// go.sum and a cold build compiles k8s.io/* once for all of them:
//
//	k8s.io/kubernetes/cmd/kube-apiserver
//	k8s.io/kubernetes/cmd/kube-controller-manager
//	helm.sh/helm/v3/cmd/helm (helm v3.22 requires k8s.io/* v0.37.0; the
//	staging replaces lift it to the release kube-apiserver is built from)
//	istio.io/istio/istioctl/cmd/istioctl (release-1.31 requires k8s.io/* v0.36.1,
//	lifted the same way; see ISTIO_VERSION in ../versions.env)
//
// ../build.sh builds each upstream main package with `go build -trimpath`.
// No code of our own is compiled into them.
package tools

import (
	_ "helm.sh/helm/v3/cmd/helm"
	_ "istio.io/istio/istioctl/cmd/istioctl"
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
)
