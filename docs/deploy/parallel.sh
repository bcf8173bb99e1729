#!/bin/sh
# One machine's cores, or several machines sharing a folder: build N
# shards side by side with xargs -P (GNU parallel works the same way:
# `parallel brief build --shard {}/$N --out shards/{} ::: $(seq 1 $N)`),
# then merge. Run from the project folder. tests/deploy_recipes.rs runs
# this very script on a generated project and compares the result with an
# unsharded build.
set -eu
N=${N:-3}
BRIEF=${BRIEF:-brief}
rm -rf shards
seq 1 "$N" | xargs -P "$N" -I{} "$BRIEF" build --quiet --jobs 1 --shard {}/"$N" --out shards/{}
"$BRIEF" merge shards/* --out "${OUT:-output}"
