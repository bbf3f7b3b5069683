{{/* vim: set filetype=mustache: */}}

{{- define "fiscalwatch.services" -}}
ingest parse validate store
{{- end -}}

{{- define "fiscalwatch.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "fiscalwatch.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "fiscalwatch.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "fiscalwatch.labels" -}}
helm.sh/chart: {{ include "fiscalwatch.chart" . }}
{{ include "fiscalwatch.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: fiscalwatch
{{- end -}}

{{- define "fiscalwatch.selectorLabels" -}}
app.kubernetes.io/name: {{ include "fiscalwatch.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Labels of one service. Call with (dict "root" $ "service" "parse"). */}}
{{- define "fiscalwatch.serviceLabels" -}}
{{ include "fiscalwatch.labels" .root }}
app.kubernetes.io/component: {{ .service }}
{{- end -}}

{{- define "fiscalwatch.serviceSelectorLabels" -}}
{{ include "fiscalwatch.selectorLabels" .root }}
app.kubernetes.io/component: {{ .service }}
{{- end -}}

{{- define "fiscalwatch.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "fiscalwatch.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "fiscalwatch.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag | toString) -}}
{{- end -}}

{{- define "fiscalwatch.configMapName" -}}
{{- printf "%s-config" (include "fiscalwatch.fullname" .) -}}
{{- end -}}

{{- define "fiscalwatch.databaseSecretName" -}}
{{- if .Values.database.existingSecret -}}
{{- .Values.database.existingSecret -}}
{{- else -}}
{{- printf "%s-database" (include "fiscalwatch.fullname" .) -}}
{{- end -}}
{{- end -}}

{{- define "fiscalwatch.inboxClaimName" -}}
{{- if .Values.ingest.inbox.persistence.existingClaim -}}
{{- .Values.ingest.inbox.persistence.existingClaim -}}
{{- else -}}
{{- printf "%s-inbox" (include "fiscalwatch.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/*
Secret read by the migrations hook Job. Hooks run before the release's
ordinary resources exist, so with database.url the chart creates a copy of
the Secret as a hook resource (deleted once the hook succeeded).
*/}}
{{- define "fiscalwatch.migrationsSecretName" -}}
{{- if .Values.database.existingSecret -}}
{{- .Values.database.existingSecret -}}
{{- else -}}
{{- printf "%s-database-migrations" (include "fiscalwatch.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/* FISCALWATCH_DATABASE_URL from a Secret. Call with (dict "root" $ "secret" NAME). */}}
{{- define "fiscalwatch.databaseEnv" -}}
- name: FISCALWATCH_DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ .secret }}
      key: {{ .root.Values.database.secretKey }}
{{- end -}}

{{/* Fail early on missing required values. */}}
{{- define "fiscalwatch.validate" -}}
{{- if not .Values.nats.url -}}
{{- fail "nats.url is required (e.g. --set nats.url=nats://nats:4222); it becomes FISCALWATCH_NATS_URL" -}}
{{- end -}}
{{- if and (or .Values.store.enabled .Values.migrations.enabled) (not .Values.database.url) (not .Values.database.existingSecret) -}}
{{- fail "database.url or database.existingSecret is required for the store and the migrations Job (FISCALWATCH_DATABASE_URL)" -}}
{{- end -}}
{{- if and .Values.ingest.enabled (gt (int .Values.ingest.replicas) 1) -}}
{{- fail "ingest.replicas must be 0 or 1: ingest scans a directory and replicas would process the same files" -}}
{{- end -}}
{{- end -}}

{{/* Shared pod-level security and volumes helpers. */}}
{{- define "fiscalwatch.tmpVolume" -}}
- name: tmp
  {{- if .Values.tmpDir.sizeLimit }}
  emptyDir:
    sizeLimit: {{ .Values.tmpDir.sizeLimit }}
  {{- else }}
  emptyDir: {}
  {{- end }}
{{- end -}}
