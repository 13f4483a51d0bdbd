/*
 * Residents' chat page: talks to the bot through the same-origin proxy POST /chat/api/message.
 *
 * Why it is written this way:
 * - No inline code and no innerHTML for any text: the console's CSP forbids inline scripts, and
 *   every message (the resident's and the bot's) is put in the page with textContent, so HTML
 *   typed by anyone shows as text.
 * - Who is talking is decided by the server: the sender id lives in an HttpOnly cookie the
 *   page cannot read or choose (fetch sends it with credentials: "same-origin"). 「最初から」
 *   asks the server for a new one (POST data-new-api), as does the start of a conversation:
 *   loading the page issues none.
 * - The transcript and pending quick replies live in sessionStorage: a reload keeps them,
 *   closing the tab forgets them (a shared family or library PC).
 * - Messages go out one at a time from a small outbox, so a failed one can be retried without
 *   being typed again and the hidden start (/greet, then the preselected city) resumes where it
 *   stopped.
 * - A 429 (writing too fast) is not a failure to connect: the server's words (with 119/110)
 *   are shown as the bot's, the refused message leaves the outbox, and new text can be sent at
 *   once, so crisis words always go out (the server answers them with the crisis lines).
 * - The city shown (heading, crisis links) is the conversation's: the server says it in the
 *   X-Chat-City header after a correction. A page opened for another city than the stored
 *   conversation's starts a new conversation there rather than mixing two cities.
 */
(function () {
  "use strict";

  var STORAGE_KEY = "intake-web-chat-v2";
  var root = document.getElementById("chat");
  if (!root) {
    return;
  }

  var els = {
    log: document.getElementById("log"),
    typing: document.getElementById("typing"),
    replies: document.getElementById("replies"),
    error: document.getElementById("error"),
    errorText: document.getElementById("error-text"),
    retry: document.getElementById("retry"),
    form: document.getElementById("composer"),
    input: document.getElementById("message"),
    status: document.getElementById("composer-status"),
    restart: document.getElementById("restart")
  };
  function parseNames(raw) {
    try {
      var names = JSON.parse(raw || "{}");
      return names && typeof names === "object" ? names : {};
    } catch (e) {
      return {};
    }
  }

  var CITY_HEADER = "X-Chat-City";
  var config = {
    api: root.getAttribute("data-api"),
    newApi: root.getAttribute("data-new-api"),
    city: root.getAttribute("data-city") || "",
    cityName: root.getAttribute("data-city-name") || "",
    cityNames: parseNames(root.getAttribute("data-city-names")),
    maxChars: parseInt(root.getAttribute("data-max-chars"), 10) || 2000
  };
  var TEXT = {
    you: "あなた：",
    bot: "チャット：",
    note: "お知らせ：",
    empty: "メッセージを入力してから、送信してください。",
    tooLong: function (over) {
      return "長すぎるため送れません。" + config.maxChars + "文字までにしてください（いま " +
        over + " 文字多いです）。何回かに分けて送ることもできます。";
    },
    waiting: "いま返事を待っています。少しお待ちください。",
    network: "インターネットにつながっていないか、チャットが混みあっています。" +
      "少し時間をおいて「もう一度送る」をおしてください。",
    cityNote: function (name) {
      return name + "の窓口をご案内します。ちがう市に住んでいるときは、「市を変えたい」と書いてください。";
    },
    confirmRestart: "最初から始めますか？ いままでの会話は、画面から消えます。"
  };

  /* ---------- conversation state (sessionStorage, with an in-memory fallback) ---------- */

  var memoryStore = null;

  function load() {
    var raw = null;
    try {
      raw = window.sessionStorage.getItem(STORAGE_KEY);
    } catch (e) {
      raw = memoryStore;
    }
    if (!raw) {
      return null;
    }
    try {
      var data = JSON.parse(raw);
      if (data && Array.isArray(data.items)) {
        data.replies = Array.isArray(data.replies) ? data.replies : [];
        return data;
      }
    } catch (e) {
      /* a damaged entry: start a new conversation */
    }
    return null;
  }

  function save() {
    var raw = JSON.stringify(state);
    try {
      window.sessionStorage.setItem(STORAGE_KEY, raw);
    } catch (e) {
      memoryStore = raw; /* private mode or storage full: keep it for this page view */
    }
  }

  var state = load();
  var outbox = [];
  var busy = false;
  // Bumped by 「最初から」: a reply still on its way for the old conversation is then dropped.
  var generation = 0;

  /* ---------- rendering ---------- */

  // https links and Japanese phone numbers in the bot's text become links (built as elements).
  // 110, 119 and 189 (the emergency and child-abuse numbers) only where they stand alone before
  // （警察）/（救急）, a space or punctuation, never inside another number.
  var LINK_PATTERN = /(https:\/\/[^\s「」（）()<>]+)|((?:0\d{1,4}-\d{1,4}-\d{3,4})|(?:0\d{2,3}-\d{6})|(?:#\d{4})|(?:(?<![\d\-#])(?:110|119|189)(?=[（(\s、。番]|$)))/g;

  function appendLinkified(parent, text) {
    var last = 0;
    var match;
    LINK_PATTERN.lastIndex = 0;
    while ((match = LINK_PATTERN.exec(text)) !== null) {
      if (match.index > last) {
        parent.appendChild(document.createTextNode(text.slice(last, match.index)));
      }
      var a = document.createElement("a");
      a.textContent = match[0];
      if (match[1]) {
        a.href = match[1];
        a.rel = "noopener noreferrer";
        a.target = "_blank";
      } else {
        a.href = "tel:" + match[2].replace(/-/g, "").replace("#", "%23");
      }
      parent.appendChild(a);
      last = match.index + match[0].length;
    }
    if (last < text.length) {
      parent.appendChild(document.createTextNode(text.slice(last)));
    }
  }

  function renderItem(item) {
    var div = document.createElement("div");
    div.className = "msg msg-" + item.who;
    // The speaker is said in words (read by screen readers), not only shown by side and colour.
    var who = document.createElement("span");
    who.className = "visually-hidden";
    who.textContent = item.who === "user" ? TEXT.you : item.who === "note" ? TEXT.note : TEXT.bot;
    div.appendChild(who);
    var body = document.createElement("p");
    body.className = "msg-text";
    if (item.who === "bot") {
      appendLinkified(body, item.text);
    } else {
      body.textContent = item.text;
    }
    div.appendChild(body);
    els.log.appendChild(div);
    return div;
  }

  function renderReplies() {
    while (els.replies.firstChild) {
      els.replies.removeChild(els.replies.firstChild);
    }
    var buttons = state.replies || [];
    buttons.forEach(function (button) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "button quick";
      b.textContent = button.title;
      b.addEventListener("click", function () {
        if (busy) {
          setStatus(TEXT.waiting);
          return;
        }
        enqueue(button.payload, button.title, null, true);
        els.input.focus({ preventScroll: true });
      });
      els.replies.appendChild(b);
    });
    els.replies.hidden = buttons.length === 0;
  }

  function renderAll() {
    while (els.log.firstChild) {
      els.log.removeChild(els.log.firstChild);
    }
    state.items.forEach(renderItem);
    renderReplies();
  }

  function addItem(who, text) {
    var item = { who: who, text: text };
    state.items.push(item);
    save();
    return renderItem(item);
  }

  // The conversation's city in the heading and in every crisis link ("other" or "": none).
  function showCity(code) {
    var name = Object.prototype.hasOwnProperty.call(config.cityNames, code) ? config.cityNames[code] : "";
    var heading = document.getElementById("city-name");
    if (heading) {
      heading.textContent = name;
      heading.hidden = !name;
    }
    var links = document.querySelectorAll("a.crisis-link-city");
    for (var i = 0; i < links.length; i += 1) {
      links[i].setAttribute("href", "/chat/crisis" + (name ? "?city=" + encodeURIComponent(code) : ""));
    }
  }

  function followCity(code) {
    if (code && code !== state.current) {
      state.current = code;
      save();
      showCity(code);
    }
  }

  function setStatus(text) {
    els.status.textContent = text;
  }

  function setBusy(value) {
    busy = value;
    els.typing.hidden = !value;
    root.setAttribute("aria-busy", value ? "true" : "false");
  }

  function showError(message) {
    els.errorText.textContent = message;
    els.error.hidden = false;
  }

  function hideError() {
    els.error.hidden = true;
    els.errorText.textContent = "";
  }

  /* ---------- sending ---------- */

  // echo: the text shown as the resident's bubble (null for the hidden start messages).
  // isPayload: the message is a button's (or the page's own) intent payload, not typed text.
  function enqueue(message, echo, noteBefore, isPayload) {
    if (echo) {
      addItem("user", echo);
      els.log.lastChild.scrollIntoView({ block: "nearest" });
    }
    state.replies = [];
    save();
    renderReplies();
    outbox.push({ message: message, noteBefore: noteBefore || null, payload: !!isPayload });
    pump();
  }

  function pump() {
    if (busy || outbox.length === 0) {
      return;
    }
    var next = outbox[0];
    var mine = generation;
    hideError();
    setBusy(true);
    var request = next.renew ? renew() : post(next.message, next.payload);
    request.then(function (answer) {
      if (mine !== generation) {
        return;
      }
      var replies = answer.replies;
      if (answer.refused) {
        // Too fast: what was waiting is not sent (the resident may write again at once).
        outbox = [];
      } else {
        outbox.shift();
      }
      setBusy(false);
      followCity(answer.city);
      var first = null;
      if (next.noteBefore) {
        first = addItem("note", next.noteBefore);
      }
      replies.forEach(function (reply) {
        if (reply.text) {
          var node = addItem("bot", reply.text);
          first = first || node;
        }
        if (reply.buttons && reply.buttons.length) {
          state.replies = reply.buttons;
        }
      });
      save();
      renderReplies();
      if (first) {
        first.scrollIntoView({ block: "start", behavior: "smooth" });
      }
      pump();
    }, function (message) {
      if (mine !== generation) {
        return;
      }
      setBusy(false);
      showError(message);
    });
  }

  // A 429's words (slow down, with 119/110) as the bot's replies; null for any other answer.
  function slowDownAnswer(response, data) {
    if (response.status !== 429 || !data || typeof data.message !== "string") {
      return null;
    }
    var replies = Array.isArray(data.replies) ? data.replies : [{ text: data.message, buttons: [] }];
    return { replies: replies, refused: true };
  }

  // A failed answer: a 429's polite words as replies, else the server's message as the error.
  function refusalOrError(response, data) {
    var slowDown = slowDownAnswer(response, data);
    if (slowDown) {
      return slowDown;
    }
    throw (data && typeof data.message === "string") ? data.message : TEXT.network;
  }

  // Whatever went wrong, the page shows words: the server's, or the network text.
  function asErrorText(reason) {
    return Promise.reject(typeof reason === "string" ? reason : TEXT.network);
  }

  function post(message, isPayload) {
    return window.fetch(config.api, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify({ message: message, payload: !!isPayload }),
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().then(function (data) {
        if (response.ok && Array.isArray(data)) {
          return { replies: data, city: response.headers.get(CITY_HEADER) || "" };
        }
        return refusalOrError(response, data);
      }, function () {
        throw TEXT.network;
      });
    }, function () {
      throw TEXT.network;
    }).catch(asErrorText);
  }

  // A new conversation id, issued by the server in its cookie (the page never makes one).
  function renew() {
    return window.fetch(config.newApi, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: "{}",
      credentials: "same-origin"
    }).then(function (response) {
      if (response.ok) {
        return { replies: [] };
      }
      // Too many new conversations from this address: show the server's polite words.
      return response.json().then(function (data) {
        return refusalOrError(response, data);
      }, function () {
        throw TEXT.network;
      });
    }, function () {
      throw TEXT.network;
    }).catch(asErrorText);
  }

  function startConversation() {
    generation += 1;
    state = { city: config.city, current: config.city, items: [], replies: [] };
    outbox = [{ renew: true, noteBefore: null }];
    save();
    showCity(config.city);
    renderAll();
    hideError();
    enqueue("/greet", null, null, true);
    if (config.city) {
      enqueue('/inform_city{"city": "' + config.city + '"}', null, TEXT.cityNote(config.cityName), true);
    }
  }

  /* ---------- composer ---------- */

  function checkLength() {
    var over = els.input.value.length - config.maxChars;
    if (over > 0) {
      els.input.setAttribute("aria-invalid", "true");
      setStatus(TEXT.tooLong(over));
      return false;
    }
    els.input.removeAttribute("aria-invalid");
    return true;
  }

  function submit() {
    var text = els.input.value.trim();
    if (!text) {
      setStatus(TEXT.empty);
      els.input.focus();
      return;
    }
    if (!checkLength()) {
      els.input.focus();
      return;
    }
    if (busy || outbox.length) {
      setStatus(TEXT.waiting);
      return;
    }
    setStatus("");
    els.input.value = "";
    enqueue(text, text);
  }

  els.form.addEventListener("submit", function (event) {
    event.preventDefault();
    submit();
  });

  els.input.addEventListener("keydown", function (event) {
    // Enter while choosing kanji (IME composition) must not send the half-typed message.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      submit();
    }
  });

  els.input.addEventListener("input", function () {
    if (checkLength() && els.status.textContent) {
      setStatus("");
    }
  });

  els.retry.addEventListener("click", function () {
    hideError();
    pump();
  });

  els.restart.addEventListener("click", function () {
    if (state.items.length > 1 && !window.confirm(TEXT.confirmRestart)) {
      return;
    }
    setStatus("");
    els.input.value = "";
    setBusy(false);
    startConversation();
    els.input.focus({ preventScroll: true });
  });

  /* ---------- start ---------- */

  // Opened for another city than the stored conversation's (started in, or corrected to):
  // the resident came from another city's site, so that city gets a conversation of its own.
  var otherCity = state && config.city && config.city !== (state.city || "") &&
    config.city !== (state.current || "");
  if (state && !otherCity) {
    renderAll();
    showCity(state.current || state.city || "");
  } else {
    startConversation();
  }
})();
