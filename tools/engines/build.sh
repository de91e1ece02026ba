#!/usr/bin/env bash
# Build the real engines used by Bulwark's engine test tier (test/engines/)
# from their upstream Go modules, at the versions pinned in versions.env.
#
#   tools/engines/build.sh                      # build all engines if missing
#   tools/engines/build.sh kube-apiserver etcd  # build only these (helm, kube-controller-manager, ...)
#   tools/engines/build.sh --print-paths [...]  # print binary paths, build nothing
#   tools/engines/build.sh --sync               # after a version bump: rewrite the
#                                               # wrapper modules' go.mod/go.sum
#
# Binaries go to ${BULWARK_ENGINE_CACHE:-$HOME/.cache/bulwark/engines}/<engine>-<version>/<binary>
# and are only built when missing.  Works from any cwd and with GOFLAGS=-mod=mod.
set -euo pipefail

ENGINES_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ALL_ENGINES=(kube-apiserver kube-controller-manager helm etcd kyverno cosign policy-tester gator pulumi pulumi-language-nodejs pulumi-resource-kubernetes
  otelcol otelcol-loadgen istioctl)
# Engines built from a C source snapshot with CMake, not from a Go module (not in ALL_ENGINES: name them).
SOURCE_ENGINES=(fluent-bit)

die() { echo "build.sh: error: $*" >&2; exit 1; }
log() { echo "build.sh: $*" >&2; }

# --- versions ---------------------------------------------------------------
# A GOTOOLCHAIN from the environment wins over the (optional) one in versions.env.
env_gotoolchain="${GOTOOLCHAIN-}"
# shellcheck source=versions.env
source "$ENGINES_DIR/versions.env"
if [[ -n "$env_gotoolchain" ]]; then GOTOOLCHAIN="$env_gotoolchain"; fi
if [[ -n "${GOTOOLCHAIN-}" ]]; then export GOTOOLCHAIN; else unset GOTOOLCHAIN; fi
for v in KUBERNETES_VERSION KUBERNETES_STAGING_VERSION HELM_VERSION ETCD_VERSION GATOR_VERSION KYVERNO_VERSION \
  COSIGN_VERSION POLICY_CONTROLLER_VERSION PULUMI_VERSION PULUMI_NODEJS_VERSION PULUMI_KUBERNETES_VERSION PULUMI_KUBERNETES_SDK_VERSION GO_MIN_VERSION \
  OTELCOL_VERSION ISTIO_VERSION FLUENT_BIT_VERSION FLUENT_BIT_SHA256 FLUENT_BIT_PLUGINS; do
  [[ -n "${!v-}" ]] || die "$v is not set in $ENGINES_DIR/versions.env"
done

CACHE_DIR="${BULWARK_ENGINE_CACHE:-$HOME/.cache/bulwark/engines}"
SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/bulwark-engines.XXXXXX")"
trap 'rm -rf "$SCRATCH"' EXIT

# Our own build settings, independent of the caller's environment: no
# workspace, static binaries, no VCS stamping of the wrapper module.
export GOWORK=off CGO_ENABLED=0 GO111MODULE=on
export GOFLAGS="${GOFLAGS-} -buildvcs=false"

# One row per engine: name, the wrapper module (folder) it is built from, the versions.env variable
# holding its version, the upstream module, the main package built, and the cold build time measured
# on 2 cores with empty Go caches in a cold `.ci/run` (2026-11-28, 23:25; kube-apiserver shared the cores
# with npm ci and the unit tier; gator's from a cold build of the kyverno wrapper on 2026-11-29, 20 s
# after kyverno, cosign and policy-tester).  Engines that share their dependencies share one wrapper,
# so a cold build compiles those dependencies once (kube-apiserver, kube-controller-manager and helm
# all link k8s.io/* at KUBERNETES_STAGING_VERSION; kyverno, cosign, policy-tester and gator share
# Sigstore, OPA, controller-runtime and k8s.io/* at kyverno's versions).
ENGINE_TABLE='
kube-apiserver             kubernetes                 KUBERNETES_VERSION         k8s.io/kubernetes                               k8s.io/kubernetes/cmd/kube-apiserver                                            about_12_min
kube-controller-manager    kubernetes                 KUBERNETES_VERSION         k8s.io/kubernetes                               k8s.io/kubernetes/cmd/kube-controller-manager                                   about_3_min_after_kube-apiserver
helm                       kubernetes                 HELM_VERSION               helm.sh/helm/v3                                 helm.sh/helm/v3/cmd/helm                                                        about_1_min_after_kube-apiserver
etcd                       etcd                       ETCD_VERSION               go.etcd.io/etcd/server/v3                       go.etcd.io/etcd/server/v3                                                       about_1_min
gator                      kyverno                    GATOR_VERSION              github.com/open-policy-agent/gatekeeper/v3      github.com/open-policy-agent/gatekeeper/v3/cmd/gator                            about_1_min_after_kyverno
kyverno                    kyverno                    KYVERNO_VERSION            github.com/kyverno/kyverno                      github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno                              about_10_min
cosign                     kyverno                    COSIGN_VERSION             github.com/sigstore/cosign/v2                   github.com/sigstore/cosign/v2/cmd/cosign                                        about_1_min_after_kyverno
policy-tester              kyverno                    POLICY_CONTROLLER_VERSION  github.com/sigstore/policy-controller           github.com/sigstore/policy-controller/cmd/tester                                about_1_min_after_kyverno
pulumi                     pulumi                     PULUMI_VERSION             github.com/pulumi/pulumi/pkg/v3                 github.com/pulumi/pulumi/pkg/v3/cmd/pulumi                                      about_6_min
pulumi-language-nodejs     pulumi-language-nodejs     PULUMI_NODEJS_VERSION      github.com/pulumi/pulumi/sdk/v3                 github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs               about_1_min
pulumi-resource-kubernetes pulumi-resource-kubernetes PULUMI_KUBERNETES_VERSION  github.com/pulumi/pulumi-kubernetes/provider/v4 github.com/pulumi/pulumi-kubernetes/provider/v4/cmd/pulumi-resource-kubernetes about_14_min
otelcol                    otelcol                    OTELCOL_VERSION            go.opentelemetry.io/collector/otelcol           bulwark/tools/engines/otelcol                                                   about_7_min
otelcol-loadgen            otelcol                    OTELCOL_VERSION            go.opentelemetry.io/collector/otelcol           bulwark/tools/engines/otelcol/loadgen                                           about_1_min_after_otelcol
istioctl                   kubernetes                 ISTIO_VERSION              istio.io/istio                                  istio.io/istio/istioctl/cmd/istioctl                                            about_5_min_after_kube-apiserver
fluent-bit                 -                          FLUENT_BIT_VERSION         -                                               -                                                                               about_6_min_cmake
'

# engine_field ENGINE COLUMN (2 = wrapper, 3 = version variable, 4 = module, 5 = package, 6 = cold estimate)
engine_field() {
  local value
  value="$(awk -v engine="$1" -v column="$2" '$1 == engine { print $column }' <<<"$ENGINE_TABLE")"
  [[ -n "$value" ]] || die "unknown engine '$1' (known: ${ALL_ENGINES[*]})"
  echo "$value"
}
engine_wrapper() { engine_field "$1" 2; }
engine_version() { local variable; variable="$(engine_field "$1" 3)"; echo "${!variable}"; }
engine_upstream_module() { engine_field "$1" 4; }
engine_package() { engine_field "$1" 5; }
engine_cold_estimate() { local estimate; estimate="$(engine_field "$1" 6)"; echo "${estimate//_/ }"; }
engine_binary_path() { echo "$CACHE_DIR/$1-$(engine_version "$1")/$1"; }

# `go mod download -json mod@ver` run outside any module, printing one field.
download_field() { # field module version
  (cd "$SCRATCH" && GOFLAGS= go mod download -json "$2@$3") |
    sed -n "s/^[[:space:]]*\"$1\": \"\(.*\)\",*\$/\1/p"
}

# The release's tag time from the module proxy's .info (deterministic buildDate).
module_time() {
  local info
  info="$(download_field Info "$1" "$2" 2>/dev/null)" || true
  if [[ -n "$info" && -f "$info" ]]; then
    sed -n 's/.*"Time":"\([^"]*\)".*/\1/p' "$info"
  fi
}

engine_ldflags() {
  local v major minor date
  case "$1" in
    kube-apiserver|kube-controller-manager)
      v="$KUBERNETES_VERSION"
      major="${v#v}"; major="${major%%.*}"
      minor="${v#v*.}"; minor="${minor%%.*}"
      date="$(module_time k8s.io/kubernetes "$v")"
      date="${date:-1970-01-01T00:00:00Z}"
      local flags="-s -w" pkg
      # Same variables as kubernetes' hack/lib/version.sh sets.
      for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
        flags+=" -X $pkg.gitVersion=$v -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
        flags+=" -X $pkg.gitCommit=0000000000000000000000000000000000000000"
        flags+=" -X $pkg.gitTreeState=archive -X $pkg.buildDate=$date"
      done
      echo "$flags"
      ;;
    # As helm's Makefile stamps it.  chartutil's Kubernetes version is what `helm template`
    # assumes for .Capabilities.KubeVersion (v1.20.0 when unset, which several charts refuse);
    # it is the release of the k8s.io/* modules helm is linked with.
    helm)
      local kube_minor="${KUBERNETES_STAGING_VERSION#v0.}"; kube_minor="${kube_minor%%.*}"
      local flags="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION -X helm.sh/helm/v3/internal/version.gitTreeState=clean" pkg
      for pkg in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
        flags+=" -X $pkg.k8sVersionMajor=1 -X $pkg.k8sVersionMinor=$kube_minor"
      done
      echo "$flags"
      ;;
    etcd) echo "-s -w -X go.etcd.io/etcd/api/v3/version.GitSHA=module-$ETCD_VERSION" ;;
    gator) echo "-s -w -X github.com/open-policy-agent/gatekeeper/v3/pkg/version.Version=$GATOR_VERSION" ;;
    # As kyverno's Makefile stamps it (LD_FLAGS); without it the CLI reports
    # the main module's version, which is "(devel)" in a wrapper build.
    kyverno) echo "-s -w -X github.com/kyverno/kyverno/pkg/version.BuildVersion=$KYVERNO_VERSION" ;;
    # As cosign's Makefile stamps it (GIT_VERSION into sigs.k8s.io/release-utils).
    cosign) echo "-s -w -X sigs.k8s.io/release-utils/version.gitVersion=$COSIGN_VERSION" ;;
    # policy-controller's Makefile stamps the same release-utils variable.
    policy-tester) echo "-s -w -X sigs.k8s.io/release-utils/version.gitVersion=$POLICY_CONTROLLER_VERSION" ;;
    # As pulumi's Makefiles stamp them (the CLI and language hosts report this
    # version; the kubernetes provider reports its own, without the "v").
    pulumi) echo "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION" ;;
    pulumi-language-nodejs) echo "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_NODEJS_VERSION" ;;
    pulumi-resource-kubernetes) echo "-s -w -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=${PULUMI_KUBERNETES_VERSION#v}" ;;
    # Our own main packages (otelcol/main.go, otelcol/loadgen): BuildInfo.Version.
    otelcol|otelcol-loadgen) echo "-s -w -X main.version=$OTELCOL_VERSION" ;;
    # As istio's report_build_info.sh stamps it (`istioctl version --remote=false` prints it).
    istioctl) echo "-s -w -X istio.io/istio/pkg/version.buildVersion=$ISTIO_VERSION -X istio.io/istio/pkg/version.buildStatus=Clean -X istio.io/istio/pkg/version.buildTag=$ISTIO_VERSION" ;;
  esac
}

# What the version command must print for a build to be accepted.
engine_version_check() {
  case "$1" in
    kube-apiserver|kube-controller-manager) echo "Kubernetes $KUBERNETES_VERSION" ;;
    helm) echo "$HELM_VERSION" ;;
    etcd) echo "etcd Version: ${ETCD_VERSION#v}" ;;
    gator) echo "$GATOR_VERSION" ;;
    kyverno) echo "Version: $KYVERNO_VERSION" ;;
    cosign) echo "GitVersion:    $COSIGN_VERSION" ;;
    policy-tester) echo "GitVersion:    $POLICY_CONTROLLER_VERSION" ;;
    pulumi) echo "$PULUMI_VERSION" ;;
    # These two have no version flag: `go version -m` names the module they
    # were built from (see engine_version_output).
    pulumi-language-nodejs) echo "github.com/pulumi/pulumi/sdk/v3	$PULUMI_NODEJS_VERSION" ;;
    pulumi-resource-kubernetes) echo "github.com/pulumi/pulumi-kubernetes/provider/v4	$PULUMI_KUBERNETES_VERSION" ;;
    otelcol) echo "otelcol version $OTELCOL_VERSION" ;;
    otelcol-loadgen) echo "otelcol-loadgen version $OTELCOL_VERSION" ;;
    istioctl) echo "$ISTIO_VERSION" ;;
    fluent-bit) echo "Fluent Bit ${FLUENT_BIT_VERSION}" ;;
  esac
}

# How to ask a binary its version: kyverno has a `version` subcommand and no
# --version flag.
engine_version_args() {
  case "$1" in
    kyverno|pulumi|cosign) echo "version" ;;
    helm) echo "version" ;;
    istioctl) echo "version --remote=false" ;;
    policy-tester) echo "-version" ;;
    *) echo "--version" ;;
  esac
}

# What a built binary says about its version: its own version command, or for
# the plugins without one, the build info Go embeds (`go version -m`).
engine_version_output() { # engine binary
  case "$1" in
    pulumi-language-nodejs|pulumi-resource-kubernetes) go version -m "$2" ;;
    istioctl) "$2" version --remote=false ;;
    *) "$2" "$(engine_version_args "$1")" ;;
  esac
}

version_ge() { # version_ge A B: A >= B (dotted numeric)
  [[ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n1)" == "$2" ]]
}

check_go() {
  command -v go >/dev/null 2>&1 || die "the 'go' command is not on PATH (need Go >= $GO_MIN_VERSION; /usr/local/go/bin?)"
  local have
  have="$(go env GOVERSION 2>/dev/null)" || die "'go env GOVERSION' failed (GOTOOLCHAIN=${GOTOOLCHAIN-<unset>})"
  have="${have#go}"; have="${have%%[-+ ]*}"
  version_ge "$have" "$GO_MIN_VERSION" ||
    die "Go $have is older than the required $GO_MIN_VERSION; install a newer Go or run with GOTOOLCHAIN=go$GO_MIN_VERSION (fetched through the module proxy)"
}

# Refuse to build if a wrapper module drifted from versions.env.
check_wrapper() {
  local e="$1" dir mod want got
  dir="$ENGINES_DIR/$(engine_wrapper "$1")"
  mod="$(engine_upstream_module "$e")"; want="$(engine_version "$e")"
  [[ -f "$dir/go.mod" && -f "$dir/go.sum" ]] || die "$dir/go.mod or go.sum missing; run '$0 --sync'"
  got="$(awk -v m="$mod" '($1 == m && $2 ~ /^v/) {print $2} ($1 == "require" && $2 == m) {print $3}' "$dir/go.mod" | head -n1)"
  [[ "$got" == "$want" ]] ||
    die "$dir/go.mod requires $mod ${got:-<none>} but versions.env pins $want; run '$0 --sync'"
  if [[ "$e" == kyverno || "$e" == pulumi* ]]; then
    # Every replace of the upstream go.mod must be in the wrapper (see --sync),
    # its local ones (=> ../sdk) as the published module.
    local missing
    missing="$(comm -23 <(wrapper_replaces "$e" "$(upstream_gomod "$mod" "$want")" | sort) <(gomod_replaces "$dir/go.mod" | sort))"
    [[ -z "$missing" ]] || die "$dir/go.mod lacks $mod's replace(s):"$'\n'"$missing"$'\n'"run '$0 --sync'"
  fi
  if [[ "$(engine_wrapper "$e")" == kubernetes ]]; then
    local bad
    bad="$(awk -v s="$KUBERNETES_STAGING_VERSION" '/=>/ { if ($NF != s) print }' "$dir/go.mod")"
    [[ -z "$bad" ]] || die "$dir/go.mod has staging replaces not at $KUBERNETES_STAGING_VERSION:"$'\n'"$bad"$'\n'"run '$0 --sync'"
  fi
}

# The kubernetes provider's main package embeds schema-embed.json and
# terraform-mapping-embed.json, which its Makefile generates (`go generate`:
# cmd/pulumi-resource-kubernetes/generate.go stamps the version into schema.json
# and minifies both) and which are therefore not in the module zip.  So build
# from a copy of the module (module_copy) with the files generated by that
# same generate.go.  Prints the directory to build in.
prepare_kubernetes_provider() {
  local src wrap
  read -r src wrap < <(module_copy pulumi-resource-kubernetes github.com/pulumi/pulumi-kubernetes/provider/v4 "$PULUMI_KUBERNETES_VERSION")
  [[ -n "${wrap-}" && -d "$wrap" ]] || die "could not copy the module for building"
  log "pulumi-resource-kubernetes: generating schema-embed.json (go generate's generate.go)"
  (cd "$wrap" && go build -o "$SCRATCH/k8s-generate" "$src/cmd/pulumi-resource-kubernetes/generate.go") >&2 ||
    die "building the kubernetes provider's generate.go failed"
  (cd "$src/cmd/pulumi-resource-kubernetes" && VERSION="${PULUMI_KUBERNETES_VERSION#v}" "$SCRATCH/k8s-generate") >&2 ||
    die "the kubernetes provider's generate.go failed"
  echo "$wrap"
}

# A writable copy of an upstream module in $SCRATCH and a copy of its wrapper
# that `replace`s the module with it (same go.sum, so every other module stays
# pinned).  Prints "<copy> <wrapper copy>".
module_copy() { # engine module version
  local src="$SCRATCH/$1-src" wrap="$SCRATCH/$1-wrapper" moddir
  moddir="$(download_field Dir "$2" "$3")"
  [[ -n "$moddir" && -d "$moddir" ]] || die "could not download $2@$3"
  rm -rf "$src" "$wrap"
  cp -r "$moddir" "$src" && chmod -R u+w "$src"
  cp -r "$ENGINES_DIR/$1" "$wrap"
  (cd "$wrap" && go mod edit -replace="$2=$src") || die "go mod edit in $wrap failed"
  echo "$src $wrap"
}

# pulumi-language-nodejs v3.68.0 answers RunPlugin with "not supported", and
# engines since then start a Node.js policy pack through RunPlugin.  Build it
# from a copy of sdk/v3 whose stub is replaced by pulumi-language-nodejs/runplugin.go.in
# (ours; see README.md).  Prints the directory to build in.
prepare_language_host() {
  local src wrap main
  read -r src wrap < <(module_copy pulumi-language-nodejs github.com/pulumi/pulumi/sdk/v3 "$PULUMI_NODEJS_VERSION")
  [[ -n "${wrap-}" && -d "$wrap" ]] || die "could not copy the module for building"
  main="$src/nodejs/cmd/pulumi-language-nodejs/main.go"
  [[ "$(grep -c '^func (host \*nodeLanguageHost) RunPlugin($' "$main")" == 1 ]] &&
    [[ "$(grep -c 'return errors.New("not supported")' "$main")" == 1 ]] ||
    die "$main: RunPlugin is not the expected stub; check runplugin.go.in against this version"
  # Drop the stub: from its signature to the closing brace at column 0.
  awk '/^func \(host \*nodeLanguageHost\) RunPlugin\($/ { skip = 1 } !skip { print } skip && /^}$/ { skip = 0 }' "$main" >"$main.new"
  mv "$main.new" "$main"
  cp "$ENGINES_DIR/pulumi-language-nodejs/runplugin.go.in" "$(dirname "$main")/runplugin.go"
  echo "$wrap"
}

build_engine() {
  local e="$1" ver bin dir tmp pkg ldflags start lock_fd expect out
  ver="$(engine_version "$e")"; bin="$(engine_binary_path "$e")"; dir="$(dirname "$bin")"
  if [[ -x "$bin" ]]; then
    log "$e $ver: present ($bin)"
    return 0
  fi
  [[ "$(engine_wrapper "$e")" == - ]] || check_wrapper "$e"
  mkdir -p "$dir"
  # Serialise concurrent builds of the same engine (e.g. two test runs).
  if command -v flock >/dev/null 2>&1; then
    exec {lock_fd}>"$dir/.lock"
    flock "$lock_fd"
    if [[ -x "$bin" ]]; then
      log "$e $ver: built by a concurrent run ($bin)"
      exec {lock_fd}>&-
      return 0
    fi
  fi
  pkg="$(engine_package "$e")"
  ldflags="$(engine_ldflags "$e")"
  tmp="$dir/.$e.tmp.$$"
  log "building $e $ver … (cold builds take several minutes: $(engine_cold_estimate "$e") on 2 cores)"
  start=$SECONDS
  local builddir="$ENGINES_DIR/$(engine_wrapper "$e")"
  if [[ "$e" == pulumi-resource-kubernetes ]]; then builddir="$(prepare_kubernetes_provider)"; fi
  if [[ "$e" == pulumi-language-nodejs ]]; then builddir="$(prepare_language_host)"; fi
  if [[ "$e" == fluent-bit ]]; then
    build_fluent_bit "$tmp" || { rm -f "$tmp"; die "building fluent-bit $ver failed after $((SECONDS - start))s; see the cmake output above"; }
  # -dwarf=false: the linker drops DWARF anyway (-w), so the compiler need not write it (about 6% less
  # CPU on a cold build, measured on etcd).
  elif ! (cd "$builddir" && go build -trimpath -gcflags=all=-dwarf=false -ldflags "$ldflags" -o "$tmp" "$pkg"); then
    rm -f "$tmp"
    die "building $e $ver ($pkg) failed after $((SECONDS - start))s; see the go output above"
  fi
  expect="$(engine_version_check "$e")"
  if ! out="$(engine_version_output "$e" "$tmp" 2>&1)" || [[ "$out" != *"$expect"* ]]; then
    rm -f "$tmp"
    die "built $e but its version check printed '$out', expected it to contain '$expect'"
  fi
  mv -f "$tmp" "$bin" # atomic rename in the same directory
  if [[ -n "${lock_fd-}" ]]; then exec {lock_fd}>&-; fi
  log "built $e $ver in $((SECONDS - start))s -> $bin"
}

# fluent-bit: a C program no registry here serves.  Built with CMake from the pinned source
# snapshot in ../shared/sources (checked against FLUENT_BIT_SHA256), with FLB_MINIMAL and only
# the plugins in FLUENT_BIT_PLUGINS (the ones the generated config uses), against Debian's
# build dependencies (cmake flex bison libssl-dev libyaml-dev libsqlite3-dev pkg-config build-essential).
build_fluent_bit() { # output-binary
  local archive="${BULWARK_SHARED:-$ENGINES_DIR/../../../shared}/sources/fluent-bit-$FLUENT_BIT_VERSION.tar.gz"
  local src="$SCRATCH/fluent-bit-src" build="$SCRATCH/fluent-bit-build" tool plugin flags=()
  [[ -f "$archive" ]] || die "fluent-bit source snapshot $archive is missing (see ../shared/sources/README.md)"
  for tool in cmake flex bison make cc c++ pkg-config; do
    command -v "$tool" >/dev/null 2>&1 || die "fluent-bit needs '$tool': apt-get install cmake flex bison libssl-dev libyaml-dev libsqlite3-dev pkg-config build-essential"
  done
  [[ "$(sha256sum "$archive" | awk '{print $1}')" == "$FLUENT_BIT_SHA256" ]] || die "$archive does not match FLUENT_BIT_SHA256"
  mkdir -p "$src" "$build" && tar -xzf "$archive" -C "$src"
  for plugin in ${FLUENT_BIT_PLUGINS//,/ }; do flags+=("-DFLB_$plugin=On"); done
  # The snapshot lacks the bundled sqlite3.c: build against Debian's SQLite.  FLB_AWS stays at
  # its default (v5.1.1 does not compile without it).
  (cd "$build" && cmake "$src" -DCMAKE_BUILD_TYPE=Release -DFLB_RELEASE=On -DFLB_MINIMAL=On "${flags[@]}" \
      -DFLB_PREFER_SYSTEM_LIB_SQLITE=On -DFLB_SHARED_LIB=Off -DFLB_EXAMPLES=Off -DFLB_TESTS_RUNTIME=Off \
      -DFLB_TESTS_INTERNAL=Off -DFLB_WASM=Off -DFLB_KAFKA=Off -DFLB_ZIG=Off -DFLB_PROXY_GO=Off \
      -DFLB_BACKTRACE=Off -DFLB_JEMALLOC=Off >&2 && make -j"$(nproc)" fluent-bit-bin >&2) || return 1
  strip -o "$1" "$build/bin/fluent-bit"
}

# --- --sync: regenerate the wrapper modules from versions.env ----------------
upstream_gomod() { # path of the upstream go.mod in the module cache
  local f
  f="$(download_field GoMod "$1" "$2")" || true
  [[ -n "$f" && -f "$f" ]] || die "could not download $1@$2 from the module proxy"
  echo "$f"
}

write_wrapper_gomod() { # dir upstream_module version
  local dir="$1" mod="$2" ver="$3" gomod goline
  gomod="$(upstream_gomod "$mod" "$ver")"
  goline="$(awk '$1 == "go" {print $2; exit}' "$gomod")"
  rm -f "$dir/go.mod" "$dir/go.sum"
  printf '// Generated by tools/engines/build.sh --sync from tools/engines/versions.env. Do not edit.\nmodule bulwark/tools/engines/%s\n\ngo %s\n' \
    "$(basename "$dir")" "$goline" >"$dir/go.mod"
  (cd "$dir" && go mod edit -require="$mod@$ver")
  echo "$gomod"
}

# The `replace` directives of a go.mod as old[@v]=new@v, for `go mod edit -replace`
# (both `replace a => b v` lines and `replace ( ... )` blocks).
gomod_replaces() { # go.mod
  awk '
    $1 == "replace" && $2 == "(" { block = 1; next }
    block && $1 == ")" { block = 0; next }
    { line = $0; sub(/\/\/.*/, "", line); n = split(line, f, " ") }
    $1 == "replace" && !block { shift = 1 } block { shift = 0 }
    ($1 == "replace" && !block) || block {
      if (n == 0) next
      i = 1 + shift; old = f[i]; i++
      if (f[i] != "=>") { old = old "@" f[i]; i++ }
      i++; new = f[i]; if (i + 1 <= n) new = new "@" f[i + 1]
      print old "=" new
    }' "$1"
}

# The replaces a wrapper needs: the upstream's own, with each local one
# (`=> ../sdk`, a sibling directory of the upstream repository) pointing at
# that module's published release instead.
wrapper_replaces() { # engine upstream-go.mod
  local r old new
  while IFS= read -r r; do
    old="${r%%=*}"; new="${r#*=}"
    if [[ "$new" == ./* || "$new" == ../* ]]; then
      case "$1:${old%@*}" in
        pulumi:github.com/pulumi/pulumi/sdk/v3) new="${old%@*}@$PULUMI_VERSION" ;;
        pulumi-resource-kubernetes:github.com/pulumi/pulumi-kubernetes/sdk/v4) new="${old%@*}@$PULUMI_KUBERNETES_SDK_VERSION" ;;
        # The language host's own module has no local replaces (it *is* sdk/v3).
        *) die "$1: don't know which release replaces the local replace $r" ;;
      esac
    fi
    echo "$old=$new"
  done < <(gomod_replaces "$2")
}

sync_pulumi_wrapper() { # engine
  local e="$1" gomod args=() m
  gomod="$(write_wrapper_gomod "$ENGINES_DIR/$e" "$(engine_upstream_module "$e")" "$(engine_version "$e")")"
  while read -r m; do args+=("-replace=$m"); done < <(wrapper_replaces "$e" "$gomod")
  if [[ ${#args[@]} -gt 0 ]]; then (cd "$ENGINES_DIR/$e" && go mod edit "${args[@]}"); fi
  log "$e: copied ${#args[@]} replace directive(s) from its go.mod"
}

sync_wrappers() {
  check_go
  local gomod staging args m e
  # kubernetes (kube-apiserver, kube-controller-manager, helm): k8s.io/kubernetes points every
  # k8s.io/* staging module at ./staging/src/...; outside its repo those must be the published releases.
  gomod="$(write_wrapper_gomod "$ENGINES_DIR/kubernetes" k8s.io/kubernetes "$KUBERNETES_VERSION")"
  (cd "$ENGINES_DIR/kubernetes" && go mod edit -require="helm.sh/helm/v3@$HELM_VERSION")
  (cd "$ENGINES_DIR/kubernetes" && go mod edit -require="istio.io/istio@$ISTIO_VERSION")
  mapfile -t staging < <(awk '/=> *\.\/staging\// { print ($1 == "replace" ? $2 : $1) }' "$gomod")
  [[ ${#staging[@]} -gt 0 ]] || die "found no ./staging replaces in $gomod"
  args=()
  for m in "${staging[@]}"; do args+=("-replace=$m=$m@$KUBERNETES_STAGING_VERSION"); done
  (cd "$ENGINES_DIR/kubernetes" && go mod edit "${args[@]}")
  log "kubernetes: replaced ${#staging[@]} staging modules with $KUBERNETES_STAGING_VERSION"
  local etcd_pinned
  etcd_pinned="$(awk '$1 == "go.etcd.io/etcd/server/v3" {print $2}' "$gomod")"
  [[ "$etcd_pinned" == "$ETCD_VERSION" ]] ||
    log "WARNING: k8s.io/kubernetes $KUBERNETES_VERSION pins go.etcd.io/etcd/server/v3 $etcd_pinned but ETCD_VERSION=$ETCD_VERSION"
  write_wrapper_gomod "$ENGINES_DIR/etcd" go.etcd.io/etcd/server/v3 "$ETCD_VERSION" >/dev/null
  # kyverno: a dependent module does not inherit kyverno's own `replace`s
  # (e.g. k8s.io/pod-security-admission => its fork), so copy them all.
  gomod="$(write_wrapper_gomod "$ENGINES_DIR/kyverno" github.com/kyverno/kyverno "$KYVERNO_VERSION")"
  args=()
  while read -r m; do args+=("-replace=$m"); done < <(gomod_replaces "$gomod")
  if [[ ${#args[@]} -gt 0 ]]; then (cd "$ENGINES_DIR/kyverno" && go mod edit "${args[@]}"); fi
  log "kyverno: copied ${#args[@]} replace directive(s) from its go.mod"
  # cosign shares the kyverno wrapper (MVS keeps kyverno's versions of the shared Sigstore modules).
  (cd "$ENGINES_DIR/kyverno" && go mod edit -require="github.com/sigstore/cosign/v2@$COSIGN_VERSION")
  # So does policy-controller's tester (same Sigstore, go-containerregistry and k8s.io modules).
  (cd "$ENGINES_DIR/kyverno" && go mod edit -require="github.com/sigstore/policy-controller@$POLICY_CONTROLLER_VERSION")
  # So does gator: Gatekeeper links the same OPA, controller-runtime and k8s.io minor as kyverno, and has
  # no replaces of its own (checked here, so a version bump that adds one is not silently lost).
  gomod="$(upstream_gomod github.com/open-policy-agent/gatekeeper/v3 "$GATOR_VERSION")"
  [[ -z "$(gomod_replaces "$gomod")" ]] || die "gatekeeper $GATOR_VERSION has replace directives; copy them into the kyverno wrapper"
  (cd "$ENGINES_DIR/kyverno" && go mod edit -require="github.com/open-policy-agent/gatekeeper/v3@$GATOR_VERSION")
  for e in pulumi pulumi-language-nodejs pulumi-resource-kubernetes; do sync_pulumi_wrapper "$e"; done
  local wrappers
  mapfile -t wrappers < <(awk 'NF && $2 != "-" { print $2 }' <<<"$ENGINE_TABLE" | sort -u)
  for e in "${wrappers[@]}"; do
    log "go mod tidy in $e/ (downloads modules on first run)"
    (cd "$ENGINES_DIR/$e" && GOFLAGS= go mod tidy) || die "go mod tidy failed in $ENGINES_DIR/$e"
  done
  log "done; review and commit tools/engines/*/go.mod and go.sum"
}

# --- main ---------------------------------------------------------------------
main() {
  local mode=build engines=() e
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --sync) mode=sync ;;
      --print-paths) mode=paths ;;
      -h|--help) sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
      -*) die "unknown option $1" ;;
      *) engine_version "$1" >/dev/null; engines+=("$1") ;;
    esac
    shift
  done
  [[ ${#engines[@]} -gt 0 ]] || engines=("${ALL_ENGINES[@]}")

  case "$mode" in
    sync) sync_wrappers; return ;;
    paths) for e in "${engines[@]}"; do engine_binary_path "$e"; done; return ;;
  esac

  local need=0 start=$SECONDS
  for e in "${engines[@]}"; do [[ -x "$(engine_binary_path "$e")" ]] || need=1; done
  if [[ $need == 1 ]]; then
    check_go
    log "using $(go env GOVERSION), GOMODCACHE=$(go env GOMODCACHE), GOCACHE=$(go env GOCACHE)"
  fi
  for e in "${engines[@]}"; do build_engine "$e"; done
  log "all done in $((SECONDS - start))s"
  for e in "${engines[@]}"; do engine_binary_path "$e"; done
}

main "$@"
