{{/*
One Deployment of a fiscalwatch service.
Call with (dict "root" $ "service" "parse" "args" (list "serve" "parse")).
*/}}
{{- define "fiscalwatch.deployment" -}}
{{- $root := .root -}}
{{- $svc := .service -}}
{{- $values := index $root.Values $svc -}}
{{- $port := int $root.Values.config.httpPort -}}
{{- $ctx := dict "root" $root "service" $svc -}}
{{- if $values.enabled }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "fiscalwatch.fullname" $root }}-{{ $svc }}
  labels:
    {{- include "fiscalwatch.serviceLabels" $ctx | nindent 4 }}
spec:
  replicas: {{ $values.replicas }}
  {{- if eq $svc "ingest" }}
  # Never two ingest pods at once: both would scan the same inbox.
  strategy:
    type: Recreate
  {{- else }}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxUnavailable: 0
      maxSurge: 1
  {{- end }}
  selector:
    matchLabels:
      {{- include "fiscalwatch.serviceSelectorLabels" $ctx | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "fiscalwatch.serviceSelectorLabels" $ctx | nindent 8 }}
        app.kubernetes.io/part-of: fiscalwatch
        {{- with $root.Values.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      annotations:
        checksum/config: {{ include (print $root.Template.BasePath "/configmap.yaml") $root | sha256sum }}
        {{- if eq $svc "store" }}
        checksum/secret: {{ include (print $root.Template.BasePath "/secret.yaml") $root | sha256sum }}
        {{- end }}
        {{- if $root.Values.metrics.podAnnotations }}
        prometheus.io/scrape: "true"
        prometheus.io/port: {{ $port | quote }}
        prometheus.io/path: /metrics
        {{- end }}
        {{- with $root.Values.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
        {{- with $values.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      {{- with $root.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      serviceAccountName: {{ include "fiscalwatch.serviceAccountName" $root }}
      automountServiceAccountToken: {{ $root.Values.serviceAccount.automountServiceAccountToken }}
      # Services stop pulling on SIGTERM and finish (ack) in-flight messages.
      terminationGracePeriodSeconds: {{ $root.Values.terminationGracePeriodSeconds }}
      securityContext:
        {{- toYaml $root.Values.podSecurityContext | nindent 8 }}
      containers:
        - name: {{ $svc }}
          image: {{ include "fiscalwatch.image" $root | quote }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          args:
            {{- toYaml .args | nindent 12 }}
          ports:
            - name: http
              containerPort: {{ $port }}
              protocol: TCP
          envFrom:
            - configMapRef:
                name: {{ include "fiscalwatch.configMapName" $root }}
            {{- with $root.Values.extraEnvFrom }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
          env:
            - name: FISCALWATCH_SERVICE_NAME
              value: {{ $svc | quote }}
            {{- if eq $svc "ingest" }}
            - name: FISCALWATCH_INBOX
              value: {{ $values.inbox.path | quote }}
            - name: FISCALWATCH_POLL_SECONDS
              value: {{ $values.pollSeconds | quote }}
            {{- if $values.sources }}
            - name: FISCALWATCH_SOURCES
              value: /etc/fiscalwatch/sources.yaml
            {{- end }}
            {{- if or $values.push.token $values.push.existingSecret }}
            - name: FISCALWATCH_PUSH_TOKEN
              valueFrom:
                secretKeyRef:
                  name: {{ default (printf "%s-push" (include "fiscalwatch.fullname" $root)) $values.push.existingSecret }}
                  key: token
            {{- end }}
            {{- end }}
            {{- if eq $svc "store" }}
            {{- include "fiscalwatch.databaseEnv" (dict "root" $root "secret" (include "fiscalwatch.databaseSecretName" $root)) | nindent 12 }}
            {{- end }}
            {{- with $root.Values.extraEnv }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
            {{- with $values.extraEnv }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
          livenessProbe:
            {{- toYaml $root.Values.livenessProbe | nindent 12 }}
          readinessProbe:
            {{- toYaml $root.Values.readinessProbe | nindent 12 }}
          resources:
            {{- toYaml (default $root.Values.resources $values.resources) | nindent 12 }}
          securityContext:
            {{- toYaml $root.Values.securityContext | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            {{- if eq $svc "ingest" }}
            - name: inbox
              mountPath: {{ $values.inbox.path }}
            {{- if $values.sources }}
            - name: sources
              mountPath: /etc/fiscalwatch
              readOnly: true
            {{- end }}
            {{- end }}
      volumes:
        {{- include "fiscalwatch.tmpVolume" $root | nindent 8 }}
        {{- if eq $svc "ingest" }}
        - name: inbox
          {{- if $values.inbox.persistence.enabled }}
          persistentVolumeClaim:
            claimName: {{ include "fiscalwatch.inboxClaimName" $root }}
          {{- else }}
          emptyDir: {}
          {{- end }}
        {{- if $values.sources }}
        - name: sources
          configMap:
            name: {{ include "fiscalwatch.fullname" $root }}-ingest-sources
        {{- end }}
        {{- end }}
      {{- with (default $root.Values.nodeSelector $values.nodeSelector) }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with (default $root.Values.tolerations $values.tolerations) }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with (default $root.Values.affinity $values.affinity) }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
{{- end }}
{{- end -}}
