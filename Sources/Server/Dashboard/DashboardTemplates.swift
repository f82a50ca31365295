import Crypto
import Foundation
import Mustache

/// The dashboard's Mustache templates, its style sheet and its one script.
///
/// They are Swift string constants compiled into the binary rather than SwiftPM resources read
/// through `Bundle.module`: an installed `shiplog` then serves its dashboard without a resource
/// bundle beside it, and nothing is looked up on disk at run time (as with the migrations).
///
/// Every value reaches the page through `{{name}}`, which HTML-escapes it; the templates use no
/// triple braces. The style and the script are spliced in here, in Swift, so the
/// Content-Security-Policy can allow exactly them by their SHA-256.
enum DashboardTemplates {
    /// Every page and partial, parsed once.
    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        // The templates are constants: a parse error is a bug that every dashboard test would show.
        for (name, text) in templates {
            try! library.register(text, named: name)
        }
        return library
    }()

    /// What pages may load: their own style and script (by hash), requests to this origin, forms
    /// posted to this origin; no frames, plugins or other sites.
    static let contentSecurityPolicy =
        "default-src 'none'; style-src '\(sha256(style))'; script-src '\(sha256(script))'; connect-src 'self'; img-src 'self'; "
        + "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

    private static func sha256(_ text: String) -> String {
        "sha256-" + Data(SHA256.hash(data: Data(text.utf8))).base64EncodedString()
    }

    private static let templates: [(String, String)] = [
        ("layout", layout), ("dashboard", dashboard), ("grid", grid), ("latest", latest),
        ("deployment", deployment), ("login", login), ("message", message),
    ]

    private static let style = """
        :root { --fg: #1f2933; --muted: #5f6b7a; --line: #d8dee6; --bg: #f5f7fa; --card: #fff; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.45 system-ui, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--fg); background: var(--bg); }
        a { color: #0b5cad; }
        header.top { display: flex; align-items: center; gap: 1rem; padding: .6rem 1.5rem; background: #1f2933; color: #fff; }
        header.top a { color: #fff; font-weight: 700; text-decoration: none; font-size: 1.1rem; }
        header.top .who { margin-left: auto; color: #cbd2d9; }
        header.top form { margin: 0; }
        button { font: inherit; padding: .3rem .8rem; border-radius: 4px; border: 1px solid #9aa5b1; background: #fff; color: var(--fg); cursor: pointer; }
        main { max-width: 1200px; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
        h1 { font-size: 1.4rem; margin: .8rem 0; }
        h2 { font-size: 1.1rem; margin: 2rem 0 .6rem; }
        table { border-collapse: collapse; width: 100%; background: var(--card); border: 1px solid var(--line); }
        th, td { text-align: left; padding: .5rem .7rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        thead th { background: #eef1f5; font-size: .85rem; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
        td.cell { border-left: 6px solid var(--status); }
        .status { display: inline-block; padding: 0 .55rem; border-radius: 999px; font-size: .8rem; font-weight: 600; color: #fff; background: var(--status); white-space: nowrap; }
        .s-succeeded { --status: #1a7f37; }
        .s-failed { --status: #cf222e; }
        .s-rolled_back { --status: #bc4c00; }
        .s-timed_out { --status: #8250df; }
        .s-in_progress { --status: #0969da; }
        .s-none { --status: #8c959f; }
        .drift { margin-top: .3rem; padding: .15rem .45rem; border: 1px solid #d4a72c; border-radius: 4px; background: #fff8c5; color: #6b4a00; }
        .muted { color: var(--muted); }
        time, table.latest code, td.took { white-space: nowrap; }
        .small { font-size: .85rem; }
        code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .9em; }
        dl.record { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1.2rem; background: var(--card); border: 1px solid var(--line); padding: .8rem 1rem; margin: 0; }
        dl.record dt { color: var(--muted); }
        dl.record dd { margin: 0; overflow-wrap: anywhere; }
        ul.data { list-style: none; margin: 0; padding: 0; }
        .why { color: #a40e26; overflow-wrap: anywhere; }
        ol.ecs-events { background: var(--card); border: 1px solid var(--line); margin: 0; padding: .6rem 1rem .6rem 2.5rem; }
        ol.ecs-events li { margin: .2rem 0; overflow-wrap: anywhere; }
        ol.ecs-events time { color: var(--muted); margin-right: .5rem; }
        ul.data li { overflow-wrap: anywhere; }
        .notice { padding: .6rem .9rem; border-radius: 4px; border: 1px solid #cf222e; background: #ffebe9; color: #82071e; }
        form.login { display: grid; gap: .6rem; max-width: 32rem; background: var(--card); border: 1px solid var(--line); padding: 1rem; }
        form.login input { font: inherit; padding: .4rem; border: 1px solid #9aa5b1; border-radius: 4px; }
        #live-status { margin: .2rem 0 0; }
        """

    /// Keeps the page's `data-live` sections current: on every event the service streams, it
    /// fetches the page again and swaps those sections in. Without JavaScript the page is
    /// complete as served; it is just not refreshed.
    private static let script = """
        (function () {
          var live = document.querySelectorAll('[data-live]');
          if (!live.length || !window.EventSource || !window.fetch) return;
          var status = document.getElementById('live-status');
          var stream = document.body.getAttribute('data-stream');
          var timer = null, opened = false;
          function say(text) { if (status) status.textContent = text; }
          function refresh() {
            timer = null;
            fetch(location.href, { credentials: 'same-origin' }).then(function (response) {
              if (response.redirected) { location.reload(); return; }
              if (!response.ok) { say('Live updates paused: the service answered ' + response.status + '.'); return; }
              return response.text().then(function (html) {
                var fresh = new DOMParser().parseFromString(html, 'text/html');
                live.forEach(function (section) {
                  var next = fresh.getElementById(section.id);
                  if (next) section.innerHTML = next.innerHTML;
                });
              });
            }, function () { say('Live updates paused: the service did not answer.'); });
          }
          function changed(message) {
            if (stream) {
              try { if (JSON.parse(message.data).stream !== stream) return; } catch (e) { return; }
            }
            if (!timer) timer = setTimeout(refresh, 300);
          }
          var source = new EventSource('/api/v1/events/stream');
          source.onopen = function () {
            say('Live: this page updates as events are recorded.');
            if (opened && !timer) timer = setTimeout(refresh, 300);
            opened = true;
          };
          source.onerror = function () {
            say(source.readyState === EventSource.CLOSED ? 'Live updates are off; reload the page for the latest.' : 'Live updates reconnecting\\u2026');
          };
          source.onmessage = changed;
          (document.body.getAttribute('data-events') || '').split(' ').forEach(function (type) {
            if (type) source.addEventListener(type, changed);
          });
          say('Live updates connecting\\u2026');
        })();
        """

    private static let layout = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{$title}}shiplog{{/title}}</title>
        <style>\(style)</style>
        </head>
        <body{{#liveEvents}} data-events="{{liveEvents}}"{{/liveEvents}}{{#stream}} data-stream="{{stream}}"{{/stream}}>
        <header class="top">
        <a href="/">shiplog</a>
        {{#identity}}
        <span class="who">{{name}} ({{role}})</span>
        <form method="post" action="/logout"><button type="submit">Log out</button></form>
        {{/identity}}
        </header>
        <main>
        {{$main}}{{/main}}
        </main>
        <script>\(script)</script>
        </body>
        </html>

        """

    private static let dashboard = """
        {{<layout}}
        {{$title}}shiplog: what runs where{{/title}}
        {{$main}}
        <h1>What runs where</h1>
        <p id="live-status" class="muted small">Reload the page for the latest state.</p>
        <section id="grid" data-live>
        {{>grid}}
        </section>
        <h2>Latest deployments</h2>
        <section id="latest" data-live>
        {{>latest}}
        </section>
        {{/main}}
        {{/layout}}
        """

    private static let grid = """
        <table class="grid">
        <thead><tr><th scope="col">App</th>{{#environments}}<th scope="col">{{.}}</th>{{/environments}}</tr></thead>
        <tbody>
        {{#rows}}
        <tr>
        <th scope="row">{{app}}</th>
        {{#cells}}
        <td class="cell s-{{status.key}}" id="cell-{{environment}}-{{app}}">
        {{^absent}}
        <span class="status">{{status.label}}</span>
        {{#tag}}<div><code>{{tag}}</code>{{#revision}} <span class="muted">revision {{revision}}</span>{{/revision}}</div>{{/tag}}
        {{#deployedBy}}<div class="small">by <strong>{{deployedBy}}</strong>{{#deployedAt}} at <time datetime="{{deployedAt}}">{{deployedAtText}}</time>{{/deployedAt}}</div>{{/deployedBy}}
        {{#inProgress}}<div class="small"><a href="/deployments/{{inProgress}}">deployment in progress</a></div>{{/inProgress}}
        {{#lastAttempt}}<div class="small">tried <code>{{tag}}</code>, by {{actor}}: <a href="/deployments/{{id}}">what happened</a></div>{{/lastAttempt}}
        {{#drift}}<div class="drift small"><strong>drift:</strong> {{drift}}</div>{{/drift}}
        {{/absent}}
        {{#absent}}<span class="muted small">{{absent}}</span>{{/absent}}
        </td>
        {{/cells}}
        </tr>
        {{/rows}}
        {{^rows}}<tr><td colspan="{{columnCount}}" class="muted">Nothing is configured or recorded yet.</td></tr>{{/rows}}
        </tbody>
        </table>
        """

    private static let latest = """
        {{#hasDeployments}}
        <table class="latest">
        <thead><tr><th scope="col">Started</th><th scope="col">App</th><th scope="col">Environment</th><th scope="col">Tag</th><th scope="col">By</th><th scope="col">Trigger</th><th scope="col">Outcome</th><th scope="col">Took</th></tr></thead>
        <tbody>
        {{#deployments}}
        <tr class="s-{{status.key}}">
        <td><a href="/deployments/{{id}}"><time datetime="{{startedAt}}">{{startedAtText}}</time></a></td>
        <td>{{app}}</td>
        <td>{{environment}}</td>
        <td><code>{{tag}}</code></td>
        <td>{{actor}}{{#via}} <span class="muted small">via {{via}}</span>{{/via}}</td>
        <td>{{trigger}}</td>
        <td><span class="status">{{status.label}}</span></td>
        <td class="took">{{duration}}</td>
        </tr>
        {{/deployments}}
        </tbody>
        </table>
        {{/hasDeployments}}
        {{^hasDeployments}}<p class="muted">No deployments recorded yet.</p>{{/hasDeployments}}
        """

    private static let deployment = """
        {{<layout}}
        {{$title}}shiplog: {{deployment.app}} to {{deployment.environment}}{{/title}}
        {{$main}}
        <p class="small"><a href="/">&larr; What runs where</a></p>
        <h1>{{deployment.app}} to {{deployment.environment}}: <code>{{deployment.tag}}</code></h1>
        <p id="live-status" class="muted small">Reload the page for the latest state.</p>
        <section id="record" data-live>
        {{#deployment}}
        <dl class="record s-{{status.key}}">
        <dt>Outcome</dt><dd><span class="status">{{status.label}}</span></dd>
        {{#failure}}<dt>Why</dt><dd>{{failure}}</dd>{{/failure}}
        {{#rolledBackTo}}<dt>Rolled back to</dt><dd><code>{{rolledBackTo}}</code></dd>{{/rolledBackTo}}
        <dt>Deployment</dt><dd><code>{{id}}</code></dd>
        <dt>App</dt><dd>{{app}}</dd>
        <dt>Environment</dt><dd>{{environment}}</dd>
        <dt>Tag</dt><dd><code>{{tag}}</code></dd>
        <dt>Trigger</dt><dd>{{trigger}}</dd>
        <dt>By</dt><dd>{{actor}}{{#via}} <span class="muted">via {{via}}</span>{{/via}}</dd>
        {{#commit}}<dt>Commit</dt><dd><code>{{commit}}</code></dd>{{/commit}}
        {{#source}}<dt>Source</dt><dd>{{#sourceLink}}<a href="{{sourceLink}}" rel="noreferrer">{{source}}</a>{{/sourceLink}}{{^sourceLink}}{{source}}{{/sourceLink}}</dd>{{/source}}
        <dt>Started</dt><dd><time datetime="{{startedAt}}">{{startedAtText}}</time></dd>
        {{#endedAt}}<dt>Ended</dt><dd><time datetime="{{endedAt}}">{{endedAtText}}</time> <span class="muted">({{duration}})</span></dd>{{/endedAt}}
        {{#taskDefinitionArn}}<dt>Task definition</dt><dd><code>{{taskDefinitionArn}}</code></dd>{{/taskDefinitionArn}}
        </dl>
        {{/deployment}}
        </section>
        <section id="stopped-tasks" data-live>
        {{#hasStoppedTasks}}
        <h2>Stopped tasks</h2>
        <table class="stopped">
        <thead><tr><th scope="col">Task</th><th scope="col">Stopped (ECS)</th><th scope="col">Why</th><th scope="col">Containers</th></tr></thead>
        <tbody>
        {{#stoppedTasks}}
        <tr>
        <td><code>{{taskId}}</code></td>
        <td>{{#stoppedAt}}<time datetime="{{stoppedAt}}">{{stoppedAtText}}</time>{{/stoppedAt}}</td>
        <td><strong class="why">{{reason}}</strong>{{#stopCode}} <span class="muted small">{{stopCode}}</span>{{/stopCode}}</td>
        <td><ul class="data">{{#containers}}<li><strong>{{name}}</strong>: {{exit}}{{#containerReason}} <span class="why">{{containerReason}}</span>{{/containerReason}}</li>{{/containers}}</ul></td>
        </tr>
        {{/stoppedTasks}}
        </tbody>
        </table>
        {{/hasStoppedTasks}}
        </section>
        <section id="ecs-events" data-live>
        {{#hasRolloutEvents}}
        <h2>What ECS reported during the rollout</h2>
        <ol class="ecs-events">
        {{#rolloutEvents}}<li><time datetime="{{at}}">{{atText}}</time> {{message}}</li>{{/rolloutEvents}}
        </ol>
        {{/hasRolloutEvents}}
        </section>
        <h2>Timeline</h2>
        <section id="timeline" data-live>
        <table class="timeline">
        <thead><tr><th scope="col">#</th><th scope="col">Time</th><th scope="col">Event</th><th scope="col">Actor</th><th scope="col">Data</th></tr></thead>
        <tbody>
        {{#timeline}}
        <tr id="event-{{position}}">
        <td class="muted">{{version}}</td>
        <td><time datetime="{{recordedAt}}">{{recordedAtText}}</time></td>
        <td><strong>{{type}}</strong></td>
        <td>{{actor}}{{#via}} <span class="muted small">via {{via}}</span>{{/via}}</td>
        <td><ul class="data">{{#fields}}<li><span class="muted">{{name}}:</span> {{value}}</li>{{/fields}}</ul></td>
        </tr>
        {{/timeline}}
        </tbody>
        </table>
        </section>
        <p class="small muted">As JSON: <a href="/api/v1/deployments/{{deployment.id}}">/api/v1/deployments/{{deployment.id}}</a></p>
        {{/main}}
        {{/layout}}
        """

    private static let login = """
        {{<layout}}
        {{$title}}shiplog: log in{{/title}}
        {{$main}}
        <h1>Log in</h1>
        {{#notice}}<p class="notice" role="alert">{{notice}}</p>{{/notice}}
        <form class="login" method="post" action="/login">
        <label for="token">API token (any role; <code>shiplog token create</code> issues one)</label>
        <input id="token" name="token" type="password" autocomplete="current-password" required placeholder="shiplog_...">
        <button type="submit">Log in</button>
        </form>
        <p class="small muted">The token is kept in an HttpOnly cookie for this site until you log out or close the browser.</p>
        {{/main}}
        {{/layout}}
        """

    private static let message = """
        {{<layout}}
        {{$title}}shiplog: {{heading}}{{/title}}
        {{$main}}
        <h1>{{heading}}</h1>
        <p>{{text}}</p>
        <p><a href="/">What runs where</a></p>
        {{/main}}
        {{/layout}}
        """
}
