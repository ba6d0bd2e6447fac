# Sourced by the scripts that build Go commands from the module proxy (test/crossplane, test/e2e).
# `go install module/cmd@version` needs the proxy's version list, which it refuses for some
# modules; a throwaway main module that requires the exact version needs only exact downloads.

# The one Crossplane release the e2e control plane runs and `crossplane composition render` calls.
CROSSPLANE_VERSION="${CROSSPLANE_VERSION:-v2.4.2}"
# The Crossplane CLI, a module of its own since Crossplane v2.4 (core no longer ships cmd/crank).
CROSSPLANE_CLI_VERSION="${CROSSPLANE_CLI_VERSION:-v2.5.0}"

# write_wrapper_module DIR NAME GO_VERSION REQUIRE PACKAGE...
# Writes DIR/go.mod requiring REQUIRE ("module version") and DIR/tools.go importing each PACKAGE,
# which keeps them in the module graph so -mod=mod records every go.sum line their build needs.
write_wrapper_module() {
  local dir=$1 name=$2 go_version=$3 require=$4
  shift 4
  mkdir -p "$dir"
  printf 'module %s\n\ngo %s\n\nrequire %s\n' "$name" "$go_version" "$require" >"$dir/go.mod"
  {
    printf '//go:build tools\n\npackage tools\n\nimport (\n'
    printf '\t_ "%s"\n' "$@"
    printf ')\n'
  } >"$dir/tools.go"
}
