/**
 * The collector-pipeline rules for Gatekeeper (Rego v0). Rego can parse the YAML inside a ConfigMap
 * (`yaml.unmarshal`) and reach the workloads that mount it through the synced inventory, which CEL
 * cannot. It states the same rules as rules.ts; the gator suites check that both flag the same objects.
 */
export const collectorPipelineRego = `package bulwarkcollectorpipeline

pii_types := {"attributes", "redaction", "transform"}

pii_signals := {"traces", "logs"}

workload_kinds := {"Deployment", "DaemonSet", "StatefulSet"}

type_of(id) = t {
  t := split(id, "/")[0]
}

configs[[key, cfg]] {
  input.review.kind.kind == "ConfigMap"
  value := input.review.object.data[key]
  cfg := yaml.unmarshal(value)
  is_object(cfg.service.pipelines)
}

configs[["spec.config", cfg]] {
  input.review.kind.kind == "OpenTelemetryCollector"
  cfg := input.review.object.spec.config
  is_object(cfg.service.pipelines)
}

configs[["spec.config", cfg]] {
  input.review.kind.kind == "OpenTelemetryCollector"
  is_string(input.review.object.spec.config)
  cfg := yaml.unmarshal(input.review.object.spec.config)
  is_object(cfg.service.pipelines)
}

first_is_memory_limiter(pipeline) {
  type_of(pipeline.processors[0]) == "memory_limiter"
}

has_pii(pipeline) {
  pii_types[type_of(pipeline.processors[_])]
}

exporter_batches(cfg, id) {
  queue := cfg.exporters[id].sending_queue
  is_object(queue)
  not queue.enabled == false
  queue.batch != null
}

unbatched_exporter(cfg, pipeline) {
  id := pipeline.exporters[_]
  not exporter_batches(cfg, id)
}

batches(cfg, pipeline) {
  type_of(pipeline.processors[_]) == "batch"
}

batches(cfg, pipeline) {
  count(pipeline.exporters) > 0
  not unbatched_exporter(cfg, pipeline)
}

violation[{"msg": msg}] {
  configs[[key, cfg]]
  pipeline := cfg.service.pipelines[name]
  not first_is_memory_limiter(pipeline)
  msg := sprintf("%v: pipeline %v: memory_limiter must be the first processor", [key, name])
}

violation[{"msg": msg}] {
  configs[[key, cfg]]
  pipeline := cfg.service.pipelines[name]
  pii_signals[type_of(name)]
  not has_pii(pipeline)
  msg := sprintf("%v: pipeline %v: no PII-removal processor (attributes, redaction or transform)", [key, name])
}

violation[{"msg": msg}] {
  configs[[key, cfg]]
  pipeline := cfg.service.pipelines[name]
  not batches(cfg, pipeline)
  msg := sprintf("%v: pipeline %v: no batching", [key, name])
}

violation[{"msg": msg}] {
  configs[[key, cfg]]
  pipeline := cfg.service.pipelines[name]
  id := pipeline.exporters[_]
  type_of(id) == "debug"
  cfg.exporters[id].verbosity == "detailed"
  msg := sprintf("%v: pipeline %v: exporter %v has verbosity detailed", [key, name, id])
}

limiter_mib(cfg) = limits[0] {
  limits := [limit | processor := cfg.processors[id]; type_of(id) == "memory_limiter"; limit := processor.limit_mib; is_number(limit)]
}

memory_mib(quantity) = mib {
  mib := units.parse_bytes(quantity) / 1048576
}

has_gomemlimit(container) {
  container.env[_].name == "GOMEMLIMIT"
}

memory_problem(cfg, container) {
  not container.resources.limits.memory
}

memory_problem(cfg, container) {
  limiter_mib(cfg) >= memory_mib(container.resources.limits.memory)
}

memory_problem(cfg, container) {
  not has_gomemlimit(container)
}

violation[{"msg": msg}] {
  input.review.kind.kind == "OpenTelemetryCollector"
  configs[[_, cfg]]
  spec := input.review.object.spec
  container := {"env": object.get(spec, "env", []), "resources": object.get(spec, "resources", {})}
  memory_problem(cfg, container)
  msg := "the collector's memory_limiter does not fit its memory limit, or GOMEMLIMIT is not set"
}

violation[{"msg": msg}] {
  input.review.kind.kind == "ConfigMap"
  configs[[_, cfg]]
  namespace := input.review.object.metadata.namespace
  workload := data.inventory.namespace[namespace][_][kind][_]
  workload_kinds[kind]
  volume := workload.spec.template.spec.volumes[_]
  volume.configMap.name == input.review.object.metadata.name
  container := workload.spec.template.spec.containers[_]
  container.volumeMounts[_].name == volume.name
  memory_problem(cfg, container)
  msg := sprintf("%v %v runs this collector config with a memory_limiter that does not fit its memory limit, or without GOMEMLIMIT", [kind, workload.metadata.name])
}
`;
