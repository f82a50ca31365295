/// The commented example `shiplog init` writes: the public project's setup.
public enum ExampleConfiguration {
    public static let text = """
        # shiplog configuration.
        # Values here sit under command-line flags and SHIPLOG_* environment variables.

        # Where the ledger lives (SHIPLOG_DB overrides it).
        database: shiplog.sqlite

        # How long a deploy may wait for ECS to report the service stable before it is
        # recorded as timed out. Deploys take under 15 minutes; longer means trouble.
        stable_timeout: 15m

        # The reconciler holds ECS to what the ledger says should run. `shiplog drift`
        # reports, `shiplog reconcile` deploys the desired revision back; with --watch
        # it checks every `interval`, correcting the environments under `correct` and
        # only reporting the others.
        reconcile:
          interval: 60s
          correct: [staging]

        # Which ECS and registry to talk to: `simulated` needs no AWS account; `aws`
        # uses the standard credential chain (environment, ~/.aws/credentials, the
        # ECS container endpoint). `endpoint` points at LocalStack, moto or a VPC endpoint.
        # SHIPLOG_ECS_DRIVER, SHIPLOG_REGISTRY_DRIVER, SHIPLOG_REGION, SHIPLOG_ENDPOINT and
        # SHIPLOG_STABLE_TIMEOUT override these.
        drivers:
          ecs: simulated          # simulated | aws
          registry: simulated     # simulated | live (each app's own registry below)
          region: us-east-1
          # endpoint: http://127.0.0.1:5000
          # The simulated ECS keeps its state beside the ledger (<db>.simulated-ecs.json).
          simulated:
            # Tags the simulated registry holds for every image; services start on the first.
            tags: [rel-2024.01.01.00.00.00, rel-2024.02.01.00.00.00, 3f9c2e1, a1b2c3d, broken-build]
            # Deployments of these tags fail to start: ECS's circuit breaker rolls them back.
            failing_tags: [broken-build]

        # Who may do what, by GitHub login. Deployers and maintainers deploy; only
        # maintainers roll back and promote. A bot acts for a person (--on-behalf-of),
        # and only for those its acts_for names (a role, or logins); the person is the
        # actor that counts.
        maintainers: [ana-maintainer, ben-maintainer]
        # Or, instead of the list, the active members of a GitHub team, asked through
        # GitHub's REST API with the token in token_env (needs read:org) and kept for
        # `cache`. GitHub unreachable or answering an error refuses (fails closed).
        # maintainers:
        #   github_team: WordPress/openverse-maintainers
        #   cache: 5m                        # default 5m; 0s asks every time
        #   token_env: GITHUB_TOKEN          # default GITHUB_TOKEN
        #   api_url: https://api.github.com  # GitHub Enterprise: https://HOST/api/v3
        deployers: [cara-contributor]
        bots:
          openverse-bot: { acts_for: maintainers }

        # Notifications: each sink gets the events its `events` name (default: failures,
        # automatic rollbacks, timeouts, drift and access refusals; a cdevents sink also gets
        # successes), optionally only for some `apps` and `environments`. Every attempt is
        # recorded (NotificationDelivered / NotificationFailed), failures are retried with
        # exponential backoff, and each notification carries a delivery id (stable per event
        # and sink) to deduplicate by. `shiplog serve` delivers them; so does `shiplog notify --watch`.
        # notify:
        #   dashboard_url: https://shiplog.example.org   # messages link to the deployment's page
        #   retry: {attempts: 5, backoff: 2s, max_backoff: 5m}
        #   sinks:
        #     - name: maintainers
        #       type: slack                # a Slack incoming webhook
        #       url: https://hooks.slack.com/services/T000/B000/XXXX
        #       mentions: {ana-maintainer: U012AB3CD}   # GitHub login -> Slack member id
        #     - name: audit
        #       type: webhook              # JSON, X-Shiplog-Signature-256: sha256=HMAC of the body
        #       url: https://hooks.example.org/shiplog
        #       secret_env: SHIPLOG_HOOK_SECRET
        #       environments: [production]
        #     - name: cdevents
        #       type: cdevents             # CloudEvents (structured mode) for CDEvents consumers
        #       url: http://broker.example.org/default
        #       events: [DeploymentStable, RolledBackAutomatically, DeploymentFailed]

        # Verification results (an end-to-end suite's outcome for an app, environment and
        # tag) come from a CI step (`shiplog verification record`, POST /api/v1/verifications)
        # or, for the workflows listed here, from GitHub's workflow_run webhook: a completed
        # run's `success` passes, `failure`, `timed_out` and `startup_failure` fail. The tag is
        # the run's head_sha (staging images are tagged with the commit), or with
        # `tag: short_sha` its first 7 characters. A production environment's `gates` (below)
        # name the results a promotion waits for.
        # verification:
        #   github_workflows:
        #     - workflow: .github/workflows/playwright.yml   # the file, or the workflow's name
        #       repository: WordPress/openverse               # only this repository's runs
        #       name: e2e
        #       app: frontend
        #       environment: staging

        # GitHub Actions ID tokens as API credentials, instead of a long-lived token in a
        # repository secret (the workflow needs `permissions: id-token: write`). A run gets
        # the highest role of the rules whose claims all match; a run no rule names gets none.
        # What it appends carries the token's run URL, commit, workflow and actor.
        # oidc:
        #   audience: shiplog                # what the workflow asks for: core.getIDToken('shiplog')
        #   roles:
        #     - {repository: WordPress/openverse, ref: refs/heads/main, role: deployer}
        #     - {repository: WordPress/openverse, environment: production, role: maintainer}

        # Freeze windows, per environment (every app in it): inside one, deploys, promotions
        # and reconcile corrections are refused and recorded; rollbacks still run. A
        # maintainer overrides with --override-freeze "reason" (API: override_freeze), recorded
        # with the reason. A dated window runs from start up to end (a date as end includes
        # that day); a weekly one repeats on `days` from `start` to `end` in `time_zone`, past
        # midnight when end is at or before start.
        # freeze:
        #   production:
        #     - name: Year-end holidays
        #       reason: most maintainers are away
        #       start: 2026-12-19
        #       end: 2027-01-03
        #     - name: Friday evenings
        #       days: [fri]
        #       start: "17:00"
        #       end: "24:00"
        #       time_zone: America/New_York

        apps:
          api:
            # simulated, an OCI registry (ghcr.io), or an ECR host
            # (123456789012.dkr.ecr.us-east-1.amazonaws.com), used when drivers.registry is live.
            registry: ghcr.io
            # Each container of the task definition and the image it runs.
            containers:
              django: ghcr.io/wordpress/openverse-api
              nginx: ghcr.io/wordpress/openverse-api_nginx
            environments:
              staging:
                cluster: staging-default
                service: staging-api
                template_family: staging-api-template   # the deploy drops "-template"
                version_endpoint: https://api-staging.openverse.org/version
              production:
                cluster: production-default
                service: production-api
                template_family: production-api-template
                version_endpoint: https://api.openverse.org/version

          frontend:
            registry: ghcr.io
            # Fields the reconciler leaves alone for this app (desired_count for an
            # autoscaled service, rollout for one still rolling out).
            drift_ignore: [desired_count]
            containers:
              nuxt: ghcr.io/wordpress/openverse-frontend
            environments:
              staging:
                cluster: staging-default
                service: staging-nuxt
                template_family: staging-nuxt-template
                version_endpoint: https://staging.openverse.org/version.json
              production:
                cluster: production-default
                service: production-nuxt
                template_family: production-nuxt-template
                version_endpoint: https://openverse.org/version.json
                # Verifications that must have passed in staging, for the tag staging runs,
                # before `shiplog promote frontend` deploys it here; the newest result per
                # name counts. A refused promotion is recorded with what is missing.
                # gates: [e2e]

          ingestion_server:
            registry: ghcr.io
            containers:
              ingestion_server: ghcr.io/wordpress/openverse-ingestion_server
            environments:
              staging:
                cluster: staging-default
                service: staging-ingestion-server
                template_family: staging-ingestion-server-template
              production:
                cluster: production-default
                service: production-ingestion-server
                template_family: production-ingestion-server-template

        """
}
