#!/usr/bin/env bash
# A stand-in for `llamafactory-cli train CONFIG.yaml` that trains with this project's own trainer
# (selflengthen.model.external.LlamaFactoryTraining), reading the LLaMA-Factory YAML the external
# trainer backend writes. The test passes the JVM and class path it runs with.
set -euo pipefail
: "${SELFLENGTHEN_JAVA:?the java binary}"
: "${SELFLENGTHEN_CLASSPATH:?the class path holding selflengthen-model}"
# exec keeps this pid: a test that wants to kill the trainer reads it here.
if [[ -n "${SELFLENGTHEN_PID_FILE:-}" ]]; then echo $$ > "$SELFLENGTHEN_PID_FILE"; fi
exec "$SELFLENGTHEN_JAVA" -Xmx512m -cp "$SELFLENGTHEN_CLASSPATH" \
  -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1 \
  selflengthen.model.external.LlamaFactoryTraining "$@"
