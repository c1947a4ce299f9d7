# The two commands: `make run` and `make test`. The rest are conveniences for development.
.PHONY: run test build site server fmt lint bench

run:
	@scripts/run.sh

test:
	@scripts/test.sh

build:
	@scripts/build.sh all

# Rebuild only the browser bundle (WASM_PROFILE=dev for a quicker, larger build).
site:
	@scripts/build.sh site

server:
	@scripts/build.sh server

# Benchmarks: the policy engine (criterion), the sign-in storm, the users list at scale, the API, the first page loads.
bench:
	cargo bench -p iam-core --bench engine
	@scripts/bench.sh signin
	@scripts/bench.sh users
	@scripts/bench.sh api
	@scripts/bench.sh web

fmt:
	cargo fmt --all

lint:
	cargo fmt --all -- --check
	cargo clippy -p iam-core -p iam-policy -p iam-service -p app -p server --tests --benches -- -D warnings
	cargo clippy -p frontend -p bundle-signin -p bundle-dashboard -p bundle-people -p bundle-access -p bundle-policies -p bundle-billing --target wasm32-unknown-unknown -- -D warnings
