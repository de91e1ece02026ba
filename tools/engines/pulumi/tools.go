//go:build tools

// Wrapper module for the Pulumi CLI (see ../README.md): requires the upstream
// module at the version pinned in ../versions.env; build.sh builds the package.
package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
