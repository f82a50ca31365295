import AWS
import ECS
import Testing

struct TaskDefinitionTests {
    /// A template as DescribeTaskDefinition returns it, read-only fields and untyped fields included.
    static let template: JSONValue = [
        "taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/staging-api-template:4",
        "family": "staging-api-template",
        "revision": 4,
        "status": "ACTIVE",
        "compatibilities": ["EC2", "FARGATE"],
        "requiresAttributes": [["name": "ecs.capability.execution-role-awslogs"]],
        "registeredAt": 1_700_000_000,
        "registeredBy": "arn:aws:iam::123456789012:user/terraform",
        "cpu": "512",
        "executionRoleArn": "arn:aws:iam::123456789012:role/staging-api-execution",
        "containerDefinitions": [
            [
                "name": "django",
                "image": "ghcr.io/wordpress/openverse-api:old",
                "environment": [["name": "DJANGO_DEBUG_ENABLED", "value": "false"]],
                "portMappings": [["containerPort": 8000]],
            ],
            ["name": "nginx", "image": "ghcr.io/wordpress/openverse-api_nginx:old", "essential": true],
        ],
    ]

    @Test func renderingDropsTheTemplateSuffixAndSetsEachContainersImage() throws {
        let template = try TaskDefinition(json: Self.template)
        let rendered = try template.rendered(images: [
            "django": "ghcr.io/wordpress/openverse-api:abc123",
            "nginx": "ghcr.io/wordpress/openverse-api_nginx:abc123",
        ])
        #expect(rendered.family == "staging-api")
        #expect(rendered.container(named: "django")?.image == "ghcr.io/wordpress/openverse-api:abc123")
        #expect(rendered.container(named: "nginx")?.image == "ghcr.io/wordpress/openverse-api_nginx:abc123")
        #expect(rendered.container(named: "django")?.environment == [EnvironmentVariable(name: "DJANGO_DEBUG_ENABLED", value: "false")])
    }

    @Test func registrationInputStripsReadOnlyFieldsAndKeepsTheRest() throws {
        let rendered = try TaskDefinition(json: Self.template).rendered(images: ["django": "ghcr.io/wordpress/openverse-api:abc123"])
        let input = rendered.registrationInput
        for field in TaskDefinition.readOnlyFields {
            #expect(input[field] == nil, "\(field) must not be sent to RegisterTaskDefinition")
        }
        #expect(input["family"] == "staging-api")
        #expect(input["cpu"] == "512")
        #expect(input["executionRoleArn"] == "arn:aws:iam::123456789012:role/staging-api-execution")
        let django = try #require(input["containerDefinitions"]?.arrayValue?.first)
        #expect(django["portMappings"] == [["containerPort": 8000]])
        #expect(django["image"] == "ghcr.io/wordpress/openverse-api:abc123")
    }

    @Test func renderingAnUnknownContainerNamesItAndTheFamily() throws {
        let template = try TaskDefinition(json: Self.template)
        let error = #expect(throws: ECSError.self) { try template.rendered(images: ["web": "nginx:1"]) }
        #expect(error?.code == .containerNotFound)
        #expect(error?.message == "container web not found in task definition family staging-api-template")
    }

    @Test func aDefinitionWithoutAFamilyIsAMalformedResponse() {
        let error = #expect(throws: AWSError.self) { try TaskDefinition(json: ["containerDefinitions": []]) }
        #expect(error?.kind == .malformedResponse)
        #expect(error?.message.contains("family") == true)
    }

    @Test func stabilityNeedsOneCompletedDeploymentWithAllTasksRunning() {
        let primary = ServiceDeployment(id: "ecs-svc/1", status: .primary, taskDefinition: "td:2", desiredCount: 2, runningCount: 2, rolloutState: .completed)
        var service = ECSService(
            name: "staging-api", arn: "arn", clusterArn: "c", status: "ACTIVE", taskDefinition: "td:2",
            desiredCount: 2, runningCount: 2, pendingCount: 0, deployments: [primary], events: []
        )
        #expect(service.isStable)
        service.deployments.append(ServiceDeployment(id: "ecs-svc/0", status: .active, taskDefinition: "td:1", desiredCount: 2, runningCount: 1))
        #expect(!service.isStable)
    }
}
