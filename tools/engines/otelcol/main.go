// Command otelcol is the OpenTelemetry Collector distribution Bulwark's engine tier runs: exactly
// the components the generated agent/gateway pipelines use (components.go), at one release line
// (OTELCOL_VERSION in ../versions.env).
//
// This file and components.go follow the templates of the OpenTelemetry Collector Builder (ocb,
// go.opentelemetry.io/collector/cmd/builder, same release) by hand instead of running ocb: ocb writes
// a fresh module and runs `go mod tidy`/`go build` itself at build time, so the component versions
// would live in a builder manifest outside go.sum and the build would not be the plain, reproducible
// `go build` of a committed wrapper module that build.sh does for every other engine.
package main

import (
	"os"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/provider/envprovider"
	"go.opentelemetry.io/collector/confmap/provider/fileprovider"
	"go.opentelemetry.io/collector/confmap/provider/yamlprovider"
	"go.opentelemetry.io/collector/otelcol"
)

// version is stamped by build.sh (-X main.version=$OTELCOL_VERSION).
var version = "dev"

func main() {
	info := component.BuildInfo{
		Command:     "otelcol",
		Description: "Bulwark OpenTelemetry Collector (engine tier)",
		Version:     version,
	}
	settings := otelcol.CollectorSettings{
		BuildInfo: info,
		Factories: components,
		ConfigProviderSettings: otelcol.ConfigProviderSettings{
			ResolverSettings: confmap.ResolverSettings{
				// No http(s) provider: configs come from files, env and inline YAML only.
				ProviderFactories: []confmap.ProviderFactory{
					envprovider.NewFactory(),
					fileprovider.NewFactory(),
					yamlprovider.NewFactory(),
				},
			},
		},
	}
	if err := otelcol.NewCommand(settings).Execute(); err != nil {
		// cobra has already printed the error.
		os.Exit(1)
	}
}
