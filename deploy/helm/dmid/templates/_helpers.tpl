{{/* Names and labels. */}}
{{- define "dmid.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "dmid.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "dmid.labels" -}}
{{ include "dmid.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "dmid.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "dmid.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "dmid.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* A name with the tenant before it: "<tenant>.<name>", or the name alone. */}}
{{- define "dmid.tenanted" -}}
{{- if .root.Values.tenant -}}{{ printf "%s.%s" .root.Values.tenant .name }}{{- else -}}{{ .name }}{{- end -}}
{{- end -}}

{{- define "dmid.scoringGroup" -}}
{{- include "dmid.tenanted" (dict "root" . "name" .Values.groups.scoring) -}}
{{- end -}}

{{/*
The environment of every role: what the chart derives from its values, then `config` (which may override
any of it), then one `<SETTING>_FILE` per mounted secret, which drops `<SETTING>` itself. Sorted by name.
*/}}
{{- define "dmid.env" -}}
{{- $v := .Values -}}
{{- $env := dict -}}
{{- $_ := set $env "DMID_KAFKA_BROKERS" $v.kafka.brokers -}}
{{- $_ := set $env "DMID_TOPIC_PARTITIONS" (toString $v.kafka.partitions) -}}
{{- $_ := set $env "DMID_TOPIC_REPLICATION_FACTOR" (toString $v.kafka.replicationFactor) -}}
{{- $_ := set $env "DMID_KAFKA_GROUP_ID" (include "dmid.scoringGroup" .) -}}
{{- $_ := set $env "DMID_ALERTS_GROUP_ID" (include "dmid.tenanted" (dict "root" . "name" $v.groups.alerts)) -}}
{{- $_ := set $env "DMID_LEDGER_GROUP_ID" (include "dmid.tenanted" (dict "root" . "name" $v.groups.ledger)) -}}
{{- $_ := set $env "DMID_KAFKA_CLIENT_ID" (include "dmid.tenanted" (dict "root" . "name" "dmid")) -}}
{{- if $v.tenant -}}
{{- $_ := set $env "DMID_TOPIC_PREFIX" (printf "%s." $v.tenant) -}}
{{- $_ := set $env "DMID_REDIS_KEY_PREFIX" (printf "%s%s:" $v.redis.keyPrefix $v.tenant) -}}
{{- else -}}
{{- $_ := set $env "DMID_REDIS_KEY_PREFIX" $v.redis.keyPrefix -}}
{{- end -}}
{{- $_ := set $env "DMID_API_HOST" "0.0.0.0" -}}
{{- $_ := set $env "DMID_API_PORT" (toString $v.service.port) -}}
{{- $_ := set $env "DMID_LEDGER_FILE" "/app/data/ledger.jsonl" -}}
{{- if $v.redis.url -}}
{{- $_ := set $env "DMID_REDIS_URL" $v.redis.url -}}
{{- end -}}
{{- range $name, $value := $v.config -}}
{{- $_ := set $env $name (toString $value) -}}
{{- end -}}
{{- range $v.secretFiles -}}
{{- $_ := set $env .env (printf "/etc/dmid/secrets/%s/%s" .name .key) -}}
{{- end -}}
{{- /* A setting comes from its variable or its file, never both (src/config.ts refuses both). */ -}}
{{- range $name, $value := $env -}}
{{- if and (hasSuffix "_FILE" $name) (ne $name "DMID_CLIENTS_FILE") (ne $name "DMID_LEDGER_FILE") -}}
{{- $_ := unset $env (trimSuffix "_FILE" $name) -}}
{{- end -}}
{{- end -}}
{{- range $name, $value := $env }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end -}}
{{- end -}}

{{/* Volumes shared by every role: /tmp and the secret files (read-only root filesystem). */}}
{{- define "dmid.secretVolumes" -}}
- name: tmp
  emptyDir: {}
{{- range .Values.secretFiles }}
- name: secret-{{ .name }}
  secret:
    secretName: {{ .secretName }}
    defaultMode: 0440
    items:
      - key: {{ .key }}
        path: {{ .key }}
{{- end -}}
{{- end -}}

{{- define "dmid.secretMounts" -}}
- name: tmp
  mountPath: /tmp
{{- range .Values.secretFiles }}
- name: secret-{{ .name }}
  mountPath: /etc/dmid/secrets/{{ .name }}
  readOnly: true
{{- end -}}
{{- end -}}

{{- define "dmid.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 1000
runAsGroup: 1000
fsGroup: 1000
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "dmid.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: [ALL]
{{- end -}}

{{- define "dmid.probes" -}}
startupProbe:
  httpGet: { path: /healthz, port: http }
  periodSeconds: {{ .Values.probes.startup.periodSeconds }}
  timeoutSeconds: {{ .Values.probes.startup.timeoutSeconds }}
  failureThreshold: {{ .Values.probes.startup.failureThreshold }}
livenessProbe:
  httpGet: { path: /healthz, port: http }
  periodSeconds: {{ .Values.probes.liveness.periodSeconds }}
  timeoutSeconds: {{ .Values.probes.liveness.timeoutSeconds }}
  failureThreshold: {{ .Values.probes.liveness.failureThreshold }}
readinessProbe:
  httpGet: { path: /readyz, port: http }
  periodSeconds: {{ .Values.probes.readiness.periodSeconds }}
  timeoutSeconds: {{ .Values.probes.readiness.timeoutSeconds }}
  failureThreshold: {{ .Values.probes.readiness.failureThreshold }}
{{- end -}}
