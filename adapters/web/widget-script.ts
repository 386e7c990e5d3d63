/**
 * The chat widget's browser script, served as `/chat/widget.js` (plain ES2017, no build step,
 * no dependencies, no CDN). It lives here as a string so `npm run build` ships it inside dist/.
 * A page embeds it with `<script src="https://switchboard.example.com/chat/widget.js" defer>`
 * and, optionally, `<div id="switchboard-chat"></div>` where it should appear (otherwise it
 * adds a panel at the end of the body). It talks to the origin it was loaded from. The server
 * prepends `var SB_TOPICS = [...]` (the configured topics). Written without template literals
 * `${` or backslashes so it can sit in a template literal; user text only ever goes
 * through textContent.
 */
export const WIDGET_SCRIPT = `
(function () {
  "use strict";
  var script = document.currentScript;
  var base = new URL(script ? script.src : location.href);
  var origin = base.origin;
  var wsOrigin = (base.protocol === "https:" ? "wss://" : "ws://") + base.host;
  var STORE = "switchboard-chat:" + origin;
  var topics = typeof SB_TOPICS === "undefined" ? [] : SB_TOPICS;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  var css = el("link", { rel: "stylesheet", href: origin + "/chat/widget.css" });
  document.head.appendChild(css);

  var root = document.getElementById("switchboard-chat");
  if (!root) { root = el("div", { id: "switchboard-chat" }); document.body.appendChild(root); }
  root.classList.add("sbc");
  var panel = el("section", { "aria-label": "Chat with us" });
  root.appendChild(panel);
  panel.appendChild(el("h2", { class: "sbc-title" }, "Chat with us"));

  // Start form.
  var start = el("form", { class: "sbc-start", novalidate: "" });
  function field(label, input) {
    var wrap = el("label", { class: "sbc-field" });
    wrap.appendChild(el("span", null, label));
    wrap.appendChild(input);
    start.appendChild(wrap);
    return input;
  }
  var nameInput = field("Your name", el("input", { name: "name", required: "", maxlength: "100", autocomplete: "name" }));
  var emailInput = field("Email", el("input", { name: "email", type: "email", required: "", maxlength: "254", autocomplete: "email" }));
  var topicSelect = field("Topic", el("select", { name: "topic" }));
  topics.forEach(function (t) { topicSelect.appendChild(el("option", { value: t.id }, t.label)); });
  var startError = el("p", { class: "sbc-error", role: "alert" });
  start.appendChild(startError);
  var startButton = el("button", { type: "submit" }, "Start chat");
  start.appendChild(startButton);
  panel.appendChild(start);

  // Chat view.
  var chat = el("div", { class: "sbc-chat" });
  chat.hidden = true;
  var status = el("p", { class: "sbc-status", role: "status", "aria-live": "polite" }, "Connecting…");
  var log = el("ol", { class: "sbc-log", "aria-label": "Conversation", "aria-live": "polite" });
  var typing = el("p", { class: "sbc-typing", "aria-live": "polite" });
  var notice = el("p", { class: "sbc-error", role: "alert" });
  var compose = el("form", { class: "sbc-compose" });
  var textInput = el("textarea", { name: "text", rows: "2", maxlength: "4000", "aria-label": "Message", placeholder: "Type your message" });
  var sendButton = el("button", { type: "submit" }, "Send");
  compose.appendChild(textInput);
  compose.appendChild(sendButton);
  var actions = el("div", { class: "sbc-actions" });
  var transcriptButton = el("button", { type: "button" }, "Email me the transcript");
  var leaveButton = el("button", { type: "button" }, "End chat");
  actions.appendChild(transcriptButton);
  actions.appendChild(leaveButton);
  var csat = el("form", { class: "sbc-csat" });
  csat.hidden = true;
  var fieldset = el("fieldset");
  fieldset.appendChild(el("legend", null, "How satisfied are you with this chat? (1 = not at all, 5 = very)"));
  [1, 2, 3, 4, 5].forEach(function (n) {
    var b = el("button", { type: "button", value: String(n), "aria-label": n + " of 5" }, String(n));
    b.addEventListener("click", function () { sendFrame({ type: "csat", score: n }); });
    fieldset.appendChild(b);
  });
  csat.appendChild(fieldset);
  var newChat = el("button", { type: "button", class: "sbc-new" }, "Start a new chat");
  newChat.hidden = true;
  [status, log, typing, notice, compose, actions, csat, newChat].forEach(function (n) { chat.appendChild(n); });
  panel.appendChild(chat);

  var session = null;
  try { session = JSON.parse(sessionStorage.getItem(STORE) || "null"); } catch (e) { session = null; }
  var ws = null;
  var failures = 0;
  var ended = false;
  var agentName = "";
  var pending = {};
  var shown = {};
  var typingSent = false;
  var typingTimer = null;
  var agentTypingTimer = null;

  function minutes(seconds) {
    if (seconds < 60) return "less than a minute";
    var m = Math.round(seconds / 60);
    return "about " + m + (m === 1 ? " minute" : " minutes");
  }
  function queueText(position, wait) {
    var text = position > 0 ? "You are number " + position + " in the queue." : "Waiting for an agent…";
    if (wait !== undefined) text += " Expected wait: " + minutes(wait) + ".";
    return text;
  }
  function setEnded(text) {
    ended = true;
    status.textContent = text;
    compose.hidden = true;
    leaveButton.hidden = true;
    typing.textContent = "";
    newChat.hidden = false;
  }

  function addMessage(m) {
    if (shown[m.id]) { shown[m.id].classList.remove("sbc-pending"); return; }
    var item = el("li", { class: "sbc-msg sbc-" + m.from, "data-id": m.id, "data-time": m.time });
    var who = m.from === "agent" ? (m.agentName || "Agent") : m.from === "customer" ? "You" : "";
    if (who) item.appendChild(el("span", { class: "sbc-who" }, who + ": "));
    item.appendChild(el("span", { class: "sbc-text" }, m.text));
    shown[m.id] = item;
    if (pending[m.id]) { delete pending[m.id]; }
    // Keep time order (history and live frames can interleave on a reconnect).
    var after = null;
    for (var i = log.children.length - 1; i >= 0; i--) {
      var other = log.children[i];
      if ((other.getAttribute("data-time") || "") <= m.time) { after = other; break; }
    }
    if (after) after.insertAdjacentElement("afterend", item); else log.insertBefore(item, log.firstChild);
    log.scrollTop = log.scrollHeight;
  }

  function onFrame(f) {
    switch (f.type) {
      case "welcome":
        failures = 0;
        notice.textContent = "";
        break;
      case "history":
        f.messages.forEach(addMessage);
        Object.keys(pending).forEach(function (id) { sendFrame(pending[id]); });
        break;
      case "message":
        addMessage(f);
        if (f.from === "agent") typing.textContent = "";
        break;
      case "status":
        if (f.agentName) agentName = f.agentName;
        if (f.ended) {
          setEnded(f.state === "completed" ? "The chat has ended. Thank you!" : "The chat has ended.");
          if (f.state !== "completed") sessionStorage.removeItem(STORE);
        } else if (f.state === "queued" || f.state === "callback_scheduled") {
          status.textContent = queueText(f.position || 0, f.expectedWaitSeconds);
        } else if (f.state === "offered") {
          status.textContent = "Connecting you to an agent…";
        } else if (f.state === "transferred") {
          status.textContent = "Transferring you to a colleague…";
        } else if (f.state === "wrap_up") {
          status.textContent = "Your agent is wrapping up this chat.";
        } else {
          status.textContent = "You are chatting with " + (agentName || "an agent") + ".";
        }
        break;
      case "position":
        if (!ended && !agentName) status.textContent = queueText(f.position, f.expectedWaitSeconds);
        break;
      case "agent_joined":
        agentName = f.agentName;
        status.textContent = "You are chatting with " + agentName + ".";
        addMessage({ id: "joined-" + agentName + "-" + log.children.length, from: "system", text: agentName + " joined the chat.", time: new Date().toISOString() });
        break;
      case "typing":
        typing.textContent = f.typing ? (f.agentName || "The agent") + " is typing…" : "";
        clearTimeout(agentTypingTimer);
        if (f.typing) agentTypingTimer = setTimeout(function () { typing.textContent = ""; }, 10000);
        break;
      case "csat_request":
        csat.hidden = false;
        break;
      case "csat_recorded":
        csat.hidden = true;
        notice.textContent = "";
        status.textContent = "Thank you for your feedback!";
        sessionStorage.removeItem(STORE);
        break;
      case "transcript_sent":
        notice.textContent = "The transcript is on its way to your inbox.";
        break;
      case "error":
        notice.textContent = f.code === "email_not_configured" ? "Sorry, email is not configured here: we cannot send the transcript." : f.message;
        break;
    }
  }

  function sendFrame(frame) {
    if (ws && ws.readyState === WebSocket.OPEN) { ws.send(JSON.stringify(frame)); return true; }
    return false;
  }

  function connect() {
    chat.hidden = false;
    start.hidden = true;
    ws = new WebSocket(wsOrigin + "/ws/chat?token=" + encodeURIComponent(session.token));
    var opened = false;
    ws.onopen = function () { opened = true; };
    ws.onmessage = function (e) {
      var frame;
      try { frame = JSON.parse(e.data); } catch (err) { return; }
      onFrame(frame);
    };
    ws.onclose = function (e) {
      ws = null;
      if (e.code === 1000 && ended) return;
      if (!opened) failures += 1;
      if (failures >= 6) {
        setEnded("We could not reconnect to this chat.");
        sessionStorage.removeItem(STORE);
        return;
      }
      if (ended) return;
      status.textContent = "Connection lost; reconnecting…";
      setTimeout(connect, Math.min(15000, 500 * Math.pow(2, failures)));
    };
  }

  start.addEventListener("submit", function (e) {
    e.preventDefault();
    startError.textContent = "";
    startButton.disabled = true;
    fetch(origin + "/chat/sessions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: nameInput.value, email: emailInput.value, topic: topicSelect.value }),
    })
      .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
      .then(function (r) {
        startButton.disabled = false;
        if (!r.ok) {
          var v = r.body.fieldViolations || [];
          startError.textContent = v.length ? v.map(function (x) { return x.field + ": " + x.description; }).join("; ") : (r.body.error || "Something went wrong.");
          return;
        }
        session = { token: r.body.token, contactId: r.body.contactId };
        sessionStorage.setItem(STORE, JSON.stringify(session));
        status.textContent = "Waiting for an agent…";
        connect();
      })
      .catch(function () {
        startButton.disabled = false;
        startError.textContent = "We could not reach the chat service. Please try again.";
      });
  });

  compose.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = textInput.value.trim();
    if (!text || ended) return;
    var clientId = Array.prototype.map.call(crypto.getRandomValues(new Uint8Array(12)), function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
    var frame = { type: "message", id: clientId, text: text };
    pending["c-" + clientId] = frame;
    addMessage({ id: "c-" + clientId, from: "customer", text: text, time: new Date().toISOString() });
    shown["c-" + clientId].classList.add("sbc-pending");
    sendFrame(frame);
    textInput.value = "";
    if (typingSent) { typingSent = false; sendFrame({ type: "typing", typing: false }); }
  });
  textInput.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); compose.requestSubmit(); }
  });
  textInput.addEventListener("input", function () {
    if (!typingSent && textInput.value) { typingSent = sendFrame({ type: "typing", typing: true }); }
    clearTimeout(typingTimer);
    typingTimer = setTimeout(function () {
      if (typingSent) { typingSent = false; sendFrame({ type: "typing", typing: false }); }
    }, 2000);
  });
  transcriptButton.addEventListener("click", function () {
    notice.textContent = "";
    sendFrame({ type: "transcript" });
  });
  leaveButton.addEventListener("click", function () {
    sendFrame({ type: "leave" });
    sessionStorage.removeItem(STORE);
    setEnded("You left the chat.");
  });
  newChat.addEventListener("click", function () {
    sessionStorage.removeItem(STORE);
    location.reload();
  });

  if (session && session.token) connect();
})();
`;

/** The widget's stylesheet, served as `/chat/widget.css`; every rule is under `.sbc`. */
export const WIDGET_CSS = `
.sbc { font: 15px/1.4 system-ui, sans-serif; color: #1d1d1f; max-width: 26rem; }
.sbc section { border: 1px solid #c7c7cc; border-radius: 10px; padding: 1rem; background: #fff; }
.sbc-title { font-size: 1.1rem; margin: 0 0 .75rem; }
.sbc-field { display: block; margin-bottom: .6rem; }
.sbc-field span { display: block; font-weight: 600; margin-bottom: .2rem; }
.sbc input, .sbc select, .sbc textarea { width: 100%; box-sizing: border-box; font: inherit; padding: .4rem; border: 1px solid #8e8e93; border-radius: 6px; }
.sbc button { font: inherit; padding: .4rem .8rem; border-radius: 6px; border: 1px solid #0a58ca; background: #0b5ed7; color: #fff; cursor: pointer; }
.sbc button[disabled] { opacity: .6; cursor: default; }
.sbc :focus-visible { outline: 3px solid #ffbf47; outline-offset: 1px; }
.sbc-error { color: #b00020; min-height: 1em; margin: .3rem 0; }
.sbc-status { background: #f2f2f7; border-radius: 6px; padding: .5rem; margin: 0 0 .5rem; }
.sbc-log { list-style: none; margin: 0; padding: 0; max-height: 18rem; overflow-y: auto; }
.sbc-msg { margin: .3rem 0; padding: .4rem .6rem; border-radius: 8px; max-width: 85%; word-wrap: break-word; white-space: pre-wrap; }
.sbc-customer { background: #dbeafe; margin-left: auto; }
.sbc-agent { background: #ecfdf5; }
.sbc-system { background: none; color: #555; font-style: italic; max-width: 100%; }
.sbc-pending { opacity: .6; }
.sbc-who { font-weight: 600; }
.sbc-typing { color: #555; font-style: italic; min-height: 1.2em; margin: .2rem 0; }
.sbc-compose { display: flex; gap: .4rem; align-items: flex-end; }
.sbc-actions { display: flex; gap: .4rem; margin-top: .5rem; flex-wrap: wrap; }
.sbc-actions button, .sbc-new { background: #fff; color: #0b5ed7; }
.sbc-csat fieldset { border: 1px solid #c7c7cc; border-radius: 6px; margin-top: .6rem; }
.sbc-csat button { margin: .2rem; min-width: 2.4rem; }
.sbc [hidden] { display: none !important; }
`;

/** `GET /chat`: a page that is just the widget (share the link, or put it in an iframe). */
export const CHAT_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Chat with us</title>
<link rel="icon" href="data:,">
</head>
<body>
<main>
<div id="switchboard-chat"></div>
</main>
<script src="/chat/widget.js" defer></script>
</body>
</html>
`;
