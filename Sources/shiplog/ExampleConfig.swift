/// The commented example `shiplog init` writes: the public project's setup.
enum ExampleConfig {
    static let text = """
        # shiplog configuration.
        # Values here sit under command-line flags and SHIPLOG_* environment variables.

        # Where the ledger lives (SHIPLOG_DB overrides it).
        database: shiplog.sqlite

        # How long a deploy may wait for ECS to report the service stable before it is
        # recorded as timed out. Deploys take under 15 minutes; longer means trouble.
        stable_timeout: 15m

        # Which ECS and registry to talk to: `simulated` needs no AWS account; `aws`
        # uses the standard credential chain (environment, ~/.aws/credentials, the
        # ECS container endpoint). `endpoint` points at LocalStack, moto or a VPC endpoint.
        drivers:
          ecs: simulated          # simulated | aws
          registry: simulated     # simulated | oci | ecr
          region: us-east-1
          # endpoint: http://127.0.0.1:5000

        # Who may do what, by GitHub login. Only maintainers may roll back.
        # A bot may act for a person; the person is the actor that counts.
        maintainers: [ana-maintainer, ben-maintainer]
        deployers: [cara-contributor]
        bots:
          openverse-bot: { acts_for: maintainers }

        apps:
          api:
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
