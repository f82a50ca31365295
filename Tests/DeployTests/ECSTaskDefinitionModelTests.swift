import Deploy
import ECS
import Foundation
import Ledger
import Synchronization
import TestSupport
import Testing

/// Every field of a template survives a deploy, checked against ECS's published API model (the
/// botocore installed with moto), not a list we keep: a template that sets every member of the
/// `TaskDefinition` and `ContainerDefinition` shapes is registered with all of them as they were,
/// but the image, and without the members RegisterTaskDefinition does not take.
@Suite struct ECSTaskDefinitionModelTests {
    /// Samples a value for every member of the shapes, recursively, from botocore's ECS model.
    static let generator = #"""
        import botocore.session, json
        model = botocore.session.get_session().get_service_model("ecs")
        def sample(shape, depth=0):
            t = shape.type_name
            if t == "structure":
                return {} if depth > 8 else {name: sample(member, depth + 1) for name, member in shape.members.items()}
            if t == "list":
                return [sample(shape.member, depth + 1)]
            if t == "map":
                return {"k1": sample(shape.value, depth + 1)}
            if t == "string":
                return shape.enum[0] if shape.enum else "v-" + shape.name
            if t in ("integer", "long"):
                return 7
            if t in ("float", "double"):
                return 1.5
            if t == "boolean":
                return True
            if t == "timestamp":
                return 1795000000.5
            return "YmxvYg=="
        definition = model.shape_for("TaskDefinition")
        request = model.shape_for("RegisterTaskDefinitionRequest")
        template = sample(definition)
        container = template["containerDefinitions"][0]
        template["containerDefinitions"] = [
            dict(container, name="django", image="ghcr.io/wordpress/openverse-api:latest"),
            dict(container, name="nginx", image="ghcr.io/wordpress/openverse-api_nginx:latest"),
        ]
        template.update(family="staging-api-template", revision=1,
                        taskDefinitionArn="arn:aws:ecs:us-east-1:123456789012:task-definition/staging-api-template:1")
        print(json.dumps({
            "answer": {"taskDefinition": template, "tags": sample(request.members["tags"])},
            "readOnly": sorted(set(definition.members) - set(request.members)),
            "registerMembers": sorted(request.members),
            "containerMembers": sorted(model.shape_for("ContainerDefinition").members),
        }))
        """#

    struct Model {
        var answer: [String: Any]
        var readOnly: [String]
        var registerMembers: [String]
        var containerMembers: [String]
    }

    static func model() async throws -> Model {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", generator]
        let output = try await process.output()
        try #require(output.status == 0, "botocore (installed with moto by scripts/test) is needed for ECS's API model: \(output.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        return Model(
            answer: try #require(json["answer"] as? [String: Any]), readOnly: try #require(json["readOnly"] as? [String]),
            registerMembers: try #require(json["registerMembers"] as? [String]), containerMembers: try #require(json["containerMembers"] as? [String]))
    }

    /// Two JSON values are the same value: the same text once written with sorted keys.
    static func same(_ a: Any?, _ b: Any?) -> Bool {
        guard let a, let b else { return a == nil && b == nil }
        let written = [a, b].map { try? JSONSerialization.data(withJSONObject: [$0], options: [.sortedKeys]) }
        return written[0] != nil && written[0] == written[1]
    }

    @Test func theReadOnlyFieldsAreTheMembersRegisterTaskDefinitionDoesNotTake() async throws {
        #expect(Set(TaskDefinition.readOnlyFields) == Set(try await Self.model().readOnly))
    }

    @Test func aTemplateSettingEveryMemberOfTheModelIsRegisteredWithAllOfThemButTheImage() async throws {
        let model = try await Self.model()
        let answer = try JSONSerialization.data(withJSONObject: model.answer)
        let endpoint = ECSConsistencyTests.Endpoint(
            updated: ECSConsistencyTests.updated,
            reads: [ECSConsistencyTests.service(ECSConsistencyTests.new, running: 1,
                                                ECSConsistencyTests.deployment("2", "PRIMARY", ECSConsistencyTests.new, rollout: "COMPLETED", running: 1))],
            template: String(decoding: answer, as: UTF8.self))
        let (result, _) = try await ECSConsistencyTests().deploy(endpoint)
        #expect(result.outcome == .succeeded)

        let body = try #require(endpoint.requests.withLock { $0["RegisterTaskDefinition"]?.first })
        let registered = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        // Every member RegisterTaskDefinition takes, the template set, and nothing else.
        #expect(Set(registered.keys) == Set(model.registerMembers), "\(Set(registered.keys).symmetricDifference(model.registerMembers).sorted())")
        let template = try #require(model.answer["taskDefinition"] as? [String: Any])
        for member in model.registerMembers where !["family", "containerDefinitions", "tags"].contains(member) {
            #expect(Self.same(registered[member], template[member]), "\(member) changed")
        }
        #expect(registered["family"] as? String == "staging-api")
        #expect(Self.same(registered["tags"], model.answer["tags"]))

        let sent = try #require(registered["containerDefinitions"] as? [[String: Any]])
        let given = try #require(template["containerDefinitions"] as? [[String: Any]])
        #expect(sent.count == given.count)
        for (container, original) in zip(sent, given) {
            #expect(Set(container.keys) == Set(model.containerMembers), "\(Set(container.keys).symmetricDifference(model.containerMembers).sorted())")
            for member in model.containerMembers where member != "image" {
                #expect(Self.same(container[member], original[member]), "\(original["name"] ?? "?").\(member) changed")
            }
        }
        #expect(sent.map { $0["image"] as? String } == ["ghcr.io/wordpress/openverse-api:3f9c2e1", "ghcr.io/wordpress/openverse-api_nginx:3f9c2e1"])
    }
}
