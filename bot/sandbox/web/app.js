// The sandbox's web chat. It talks only to the emulator's control API (docs/sandbox.md).
"use strict";

// The page's own labels; the bot's messages come in each person's language from the bot itself.
const LABELS = {
  en: {
    title: "Mentor Network sandbox", intro: "Try the bot as anyone, in any language. Nothing here reaches Telegram.",
    pageLanguage: "Page language", clock: "Sandbox time", hour: "+1 hour", day: "+1 day", week: "+1 week",
    month: "+1 month", next: "To the next thing due", nextDue: "Next thing due: {when}",
    nothingDue: "Nothing is due.", sent: "Reminders sent: {n}.", people: "People", coordinator: "Coordinator",
    newPerson: "New person", name: "Name", language: "Telegram language", create: "Open her chat",
    demo: "Load the demo network", demoDone: "{people} people and {slots} interview times added.",
    empty: "Pick someone on the left, or create a new person, to open her chat. Open several side by side: a mentee, a mentor and the coordinator.",
    start: "Start", message: "Message", commands: "Commands", noCommands: "No commands yet.", close: "Close",
    edited: "edited", notRegistered: "not registered",
  },
  da: {
    title: "Mentornetværket – sandkasse", intro: "Prøv botten som hvem som helst, på ethvert sprog. Intet her når Telegram.",
    pageLanguage: "Sidens sprog", clock: "Sandkassens tid", hour: "+1 time", day: "+1 dag", week: "+1 uge",
    month: "+1 måned", next: "Frem til det næste, der skal ske", nextDue: "Det næste, der skal ske: {when}",
    nothingDue: "Intet venter.", sent: "Påmindelser sendt: {n}.", people: "Personer", coordinator: "Koordinator",
    newPerson: "Ny person", name: "Navn", language: "Telegram-sprog", create: "Åbn hendes chat",
    demo: "Indlæs demo-netværket", demoDone: "{people} personer og {slots} samtaletider tilføjet.",
    empty: "Vælg en person til venstre, eller opret en ny, for at åbne hendes chat. Åbn flere side om side: en mentee, en mentor og koordinatoren.",
    start: "Start", message: "Besked", commands: "Kommandoer", noCommands: "Ingen kommandoer endnu.", close: "Luk",
    edited: "redigeret", notRegistered: "ikke registreret",
  },
  ar: {
    title: "شبكة المرشدات – بيئة تجريبية", intro: "جرّبي البوت بأي شخصية وبأي لغة. لا يصل شيء من هنا إلى تيليغرام.",
    pageLanguage: "لغة الصفحة", clock: "وقت البيئة التجريبية", hour: "+ساعة", day: "+يوم", week: "+أسبوع",
    month: "+شهر", next: "إلى الموعد التالي", nextDue: "الموعد التالي: {when}",
    nothingDue: "لا شيء مستحق.", sent: "التذكيرات المرسلة: {n}.", people: "الأشخاص", coordinator: "المنسّقة",
    newPerson: "شخص جديد", name: "الاسم", language: "لغة تيليغرام", create: "افتحي محادثتها",
    demo: "تحميل الشبكة التجريبية", demoDone: "أُضيف {people} شخصًا و{slots} موعدًا للمقابلات.",
    empty: "اختاري شخصًا من القائمة أو أنشئي شخصًا جديدًا لفتح محادثته. يمكن فتح عدة محادثات جنبًا إلى جنب: متدرّبة ومرشدة والمنسّقة.",
    start: "ابدأ", message: "رسالة", commands: "الأوامر", noCommands: "لا توجد أوامر بعد.", close: "إغلاق",
    edited: "معدّلة", notRegistered: "غير مسجّلة",
  },
  fa: {
    title: "شبکه منتورها – محیط آزمایشی", intro: "ربات را با هر نقشی و به هر زبانی امتحان کنید. هیچ چیز از اینجا به تلگرام نمی‌رسد.",
    pageLanguage: "زبان صفحه", clock: "زمان محیط آزمایشی", hour: "+۱ ساعت", day: "+۱ روز", week: "+۱ هفته",
    month: "+۱ ماه", next: "تا کار بعدی", nextDue: "کار بعدی: {when}",
    nothingDue: "کاری در پیش نیست.", sent: "یادآوری‌های فرستاده‌شده: {n}.", people: "افراد", coordinator: "هماهنگ‌کننده",
    newPerson: "فرد جدید", name: "نام", language: "زبان تلگرام", create: "باز کردن گفتگو",
    demo: "بارگذاری شبکه نمونه", demoDone: "{people} نفر و {slots} وقت مصاحبه اضافه شد.",
    empty: "برای باز کردن گفتگو، کسی را از فهرست انتخاب کنید یا فرد جدیدی بسازید. می‌توانید چند گفتگو را کنار هم باز کنید: یک منتی، یک منتور و هماهنگ‌کننده.",
    start: "شروع", message: "پیام", commands: "دستورها", noCommands: "هنوز دستوری نیست.", close: "بستن",
    edited: "ویرایش‌شده", notRegistered: "ثبت‌نام نکرده",
  },
  uk: {
    title: "Мережа менторок – пісочниця", intro: "Спробуйте бота від імені будь-кого, будь-якою мовою. Ніщо звідси не потрапляє в Telegram.",
    pageLanguage: "Мова сторінки", clock: "Час пісочниці", hour: "+1 година", day: "+1 день", week: "+1 тиждень",
    month: "+1 місяць", next: "До наступної події", nextDue: "Наступна подія: {when}",
    nothingDue: "Нічого не заплановано.", sent: "Надіслано нагадувань: {n}.", people: "Люди", coordinator: "Координаторка",
    newPerson: "Нова людина", name: "Ім’я", language: "Мова Telegram", create: "Відкрити її чат",
    demo: "Завантажити демо-мережу", demoDone: "Додано людей: {people}, часів співбесід: {slots}.",
    empty: "Виберіть когось ліворуч або створіть нову людину, щоб відкрити її чат. Можна відкрити кілька поруч: менті, менторку й координаторку.",
    start: "Почати", message: "Повідомлення", commands: "Команди", noCommands: "Команд поки немає.", close: "Закрити",
    edited: "змінено", notRegistered: "не зареєстрована",
  },
  ru: {
    title: "Сеть наставниц – песочница", intro: "Попробуйте бота от имени кого угодно, на любом языке. Ничто отсюда не попадает в Telegram.",
    pageLanguage: "Язык страницы", clock: "Время песочницы", hour: "+1 час", day: "+1 день", week: "+1 неделя",
    month: "+1 месяц", next: "К следующему событию", nextDue: "Следующее событие: {when}",
    nothingDue: "Ничего не запланировано.", sent: "Отправлено напоминаний: {n}.", people: "Люди", coordinator: "Координатор",
    newPerson: "Новый человек", name: "Имя", language: "Язык Telegram", create: "Открыть её чат",
    demo: "Загрузить демо-сеть", demoDone: "Добавлено людей: {people}, времён собеседований: {slots}.",
    empty: "Выберите кого-нибудь слева или создайте нового человека, чтобы открыть её чат. Можно открыть несколько рядом: менти, наставницу и координатора.",
    start: "Начать", message: "Сообщение", commands: "Команды", noCommands: "Команд пока нет.", close: "Закрыть",
    edited: "изменено", notRegistered: "не зарегистрирована",
  },
  tr: {
    title: "Mentor Ağı – deneme alanı", intro: "Botu herhangi biri olarak, herhangi bir dilde deneyin. Buradan hiçbir şey Telegram'a ulaşmaz.",
    pageLanguage: "Sayfa dili", clock: "Deneme alanı saati", hour: "+1 saat", day: "+1 gün", week: "+1 hafta",
    month: "+1 ay", next: "Sıradaki işe", nextDue: "Sıradaki iş: {when}",
    nothingDue: "Bekleyen bir şey yok.", sent: "Gönderilen hatırlatmalar: {n}.", people: "Kişiler", coordinator: "Koordinatör",
    newPerson: "Yeni kişi", name: "Ad", language: "Telegram dili", create: "Sohbetini aç",
    demo: "Örnek ağı yükle", demoDone: "{people} kişi ve {slots} görüşme saati eklendi.",
    empty: "Sohbetini açmak için soldan birini seçin ya da yeni bir kişi oluşturun. Birkaç sohbeti yan yana açabilirsiniz: bir menti, bir mentor ve koordinatör.",
    start: "Başlat", message: "Mesaj", commands: "Komutlar", noCommands: "Henüz komut yok.", close: "Kapat",
    edited: "düzenlendi", notRegistered: "kayıtlı değil",
  },
  so: {
    title: "Shabakadda Lataliyeyaasha – goob tijaabo", intro: "Ku tijaabi bot-ka adigoo ah qof kasta, luuqad kasta. Waxba halkan kama gaaraan Telegram.",
    pageLanguage: "Luuqadda bogga", clock: "Waqtiga goobta tijaabada", hour: "+1 saac", day: "+1 maalin", week: "+1 toddobaad",
    month: "+1 bil", next: "Ilaa waxa xiga", nextDue: "Waxa xiga: {when}",
    nothingDue: "Wax sugaya ma jiraan.", sent: "Xusuusinta la diray: {n}.", people: "Dadka", coordinator: "Isku-duwaha",
    newPerson: "Qof cusub", name: "Magac", language: "Luuqadda Telegram", create: "Fur sheekadeeda",
    demo: "Soo rar shabakadda tusaalaha", demoDone: "{people} qof iyo {slots} waqti wareysi ayaa lagu daray.",
    empty: "Dooro qof bidixda ku jira, ama samee qof cusub, si aad u furto sheekadeeda. Dhowr ayaad dhinac dhinac u furi kartaa: mentee, mentor iyo isku-duwaha.",
    start: "Bilow", message: "Fariin", commands: "Amarrada", noCommands: "Weli amar ma jiro.", close: "Xir",
    edited: "la beddelay", notRegistered: "lama diiwaangelin",
  },
};
const NEW_PERSON_IDS = 1001; // people made on this page get ids from here; the demo network has 2001-2020

const state = {
  ui: localStorage.getItem("sandbox.ui") || pickLanguage(navigator.language),
  languages: { en: "English" },
  rtl: ["ar", "fa"],
  coordinators: [],
  users: [], // the emulator's users: who can chat
  profiles: new Map(), // telegram id -> role and status from the bot's database
  chats: new Map(), // telegram id -> open chat
  seq: 0,
  timezone: "UTC",
  swept: "", // what the last move of the clock sent, shown until the next move
};

const $ = (selector, root = document) => root.querySelector(selector);

function pickLanguage(tag) {
  const base = (tag || "en").split("-")[0];
  return base in LABELS ? base : "en";
}

function t(key, values = {}) {
  const text = (LABELS[state.ui] || LABELS.en)[key] ?? LABELS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => values[name] ?? "");
}

async function api(path, body) {
  const options = body === undefined ? {} : {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  };
  const response = await fetch(path, options);
  const answer = await response.json();
  if (!response.ok) throw new Error(answer.error || `HTTP ${response.status}`);
  return answer;
}

function when(iso) {
  return new Intl.DateTimeFormat(state.ui, {
    weekday: "short", day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit",
    timeZone: state.timezone,
  }).format(new Date(iso));
}

function isRtl(language) {
  return state.rtl.includes(language);
}

// ---- the page's labels -------------------------------------------------------------------------

function applyLabels() {
  document.documentElement.lang = state.ui;
  document.documentElement.dir = isRtl(state.ui) ? "rtl" : "ltr";
  document.title = t("title");
  for (const element of document.querySelectorAll("[data-t]")) element.textContent = t(element.dataset.t);
  for (const chat of state.chats.values()) {
    $(".text", chat.root).placeholder = t("message");
    $(".slash", chat.root).title = t("commands");
    $(".close", chat.root).title = t("close");
  }
  $("#new-name").placeholder = t("name");
}

function fillLanguageSelects() {
  for (const select of [$("#ui-language"), $("#new-language")]) {
    const chosen = select.value || (select.id === "ui-language" ? state.ui : "ar");
    select.replaceChildren(...Object.entries(state.languages).map(([code, name]) => new Option(name, code)));
    select.value = chosen;
  }
}

// ---- the clock ---------------------------------------------------------------------------------

function showClock(clock) {
  state.timezone = clock.timezone;
  $("#clock-now").textContent = when(clock.now);
  $("#clock-now").dataset.iso = clock.now;
  if (clock.swept) {
    const sent = Object.values(clock.swept).reduce((sum, n) => sum + n, 0) - clock.swept.forgotten;
    state.swept = sent ? t("sent", { n: sent }) : "";
  }
  const next = clock.nothing_due || !clock.next_due ? t("nothingDue") : t("nextDue", { when: when(clock.next_due) });
  $("#clock-note").textContent = [state.swept, next].filter(Boolean).join(" ");
}

async function advance(step) {
  for (const button of document.querySelectorAll("[data-advance]")) button.disabled = true;
  try {
    showClock(await api("/control/clock", { advance: step }));
  } finally {
    for (const button of document.querySelectorAll("[data-advance]")) button.disabled = false;
  }
}

// ---- people ------------------------------------------------------------------------------------

async function loadPeople() {
  const [{ users }, people] = await Promise.all([
    api("/control/users"),
    api(`/control/people?lang=${state.ui}`).catch(() => ({ people: [] })),
  ]);
  if (people.languages) Object.assign(state, { languages: people.languages, rtl: people.rtl });
  state.coordinators = people.coordinators || [];
  state.profiles = new Map(people.people.map((p) => [p.telegram_id, p]));
  const rank = (user) => (state.coordinators.includes(user.id) ? 0 : 1);
  state.users = users.sort((a, b) => rank(a) - rank(b) || a.id - b.id);
  renderPeople();
  for (const chat of state.chats.values()) renderHeader(chat);
}

function displayName(user) {
  return state.coordinators.includes(user.id) ? t("coordinator") : user.first_name;
}

function about(user) {
  const profile = state.profiles.get(user.id);
  const parts = [];
  if (profile?.role_name) parts.push(profile.role_name);
  if (profile?.status_name) parts.push(profile.status_name);
  if (!profile?.status && !state.coordinators.includes(user.id)) parts.push(t("notRegistered"));
  parts.push(state.languages[user.language_code] || user.language_code);
  return parts.join(" · ");
}

function avatar(element, user) {
  element.textContent = (displayName(user) || "?").trim().charAt(0).toUpperCase();
  element.style.background = `hsl(${(user.id * 47) % 360} 55% 48%)`;
}

function renderPeople() {
  const list = $("#people");
  list.replaceChildren(...state.users.map((user) => {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "person" + (state.chats.has(user.id) ? " open" : "");
    button.dataset.user = user.id;
    const badge = document.createElement("span");
    badge.className = "avatar";
    avatar(badge, user);
    const text = document.createElement("span");
    text.className = "who";
    const name = document.createElement("b");
    name.textContent = displayName(user);
    if (state.coordinators.includes(user.id)) name.textContent += ` (${user.id})`;
    const line = document.createElement("small");
    line.textContent = about(user);
    text.append(name, line);
    button.append(badge, text);
    button.addEventListener("click", () => openChat(user.id));
    item.append(button);
    return item;
  }));
}

async function createPerson(event) {
  event.preventDefault();
  const taken = state.users.map((u) => u.id).filter((id) => id >= NEW_PERSON_IDS && id < 2001);
  const id = Math.max(NEW_PERSON_IDS - 1, ...taken) + 1;
  const first_name = $("#new-name").value.trim();
  await api("/control/users", { id, first_name, language_code: $("#new-language").value });
  $("#new-name").value = "";
  await loadPeople();
  openChat(id);
}

async function loadDemo() {
  $("#demo").disabled = true;
  try {
    const report = await api("/control/demo", {});
    $("#demo-note").textContent = t("demoDone", { people: report.people_added, slots: report.slots_added });
    await loadPeople();
    showClock(await api("/control/clock"));
  } finally {
    $("#demo").disabled = false;
  }
}

// ---- chats -------------------------------------------------------------------------------------

function saveOpenChats() {
  localStorage.setItem("sandbox.chats", JSON.stringify([...state.chats.keys()]));
}

function openChat(userId) {
  const existing = state.chats.get(userId);
  if (existing) {
    existing.root.scrollIntoView({ behavior: "smooth", inline: "nearest" });
    $(".text", existing.root).focus();
    return;
  }
  const user = state.users.find((u) => u.id === userId);
  if (!user) return;
  const root = $("#chat-template").content.firstElementChild.cloneNode(true);
  const chat = { id: userId, root, shown: "", answersSeen: null, menuOpen: false };
  root.dataset.user = userId;
  root.dir = isRtl(user.language_code) ? "rtl" : "ltr";
  root.lang = user.language_code;
  $(".close", root).addEventListener("click", () => closeChat(userId));
  $(".start", root).addEventListener("click", () => send(chat, "/start"));
  $(".slash", root).addEventListener("click", () => toggleMenu(chat));
  $(".voice", root).addEventListener("click", () => sendVoice(chat));
  $(".compose", root).addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $(".text", root);
    if (input.value.trim()) send(chat, input.value);
    input.value = "";
  });
  $("#chats").append(root);
  state.chats.set(userId, chat);
  $("#empty").hidden = true;
  renderHeader(chat);
  applyLabels();
  renderPeople();
  saveOpenChats();
  refresh(chat);
  $(".text", root).focus();
}

function closeChat(userId) {
  state.chats.get(userId)?.root.remove();
  state.chats.delete(userId);
  $("#empty").hidden = state.chats.size > 0;
  renderPeople();
  saveOpenChats();
}

function renderHeader(chat) {
  const user = state.users.find((u) => u.id === chat.id);
  if (!user) return;
  avatar($(".avatar", chat.root), user);
  $(".name", chat.root).textContent = displayName(user);
  $(".about", chat.root).textContent = `${about(user)} · ${user.id}`;
}

async function send(chat, text) {
  closeMenu(chat);
  await api("/control/send", { user_id: chat.id, text });
  await refresh(chat);
}

// A pretend voice note (the emulator keeps a few bytes as its file): what a woman who speaks
// rather than writes sends; the text typed, if any, goes as its caption.
async function sendVoice(chat) {
  closeMenu(chat);
  const input = $(".text", chat.root);
  const caption = input.value.trim();
  input.value = "";
  await api("/control/send_media", { user_id: chat.id, kind: "voice", ...(caption ? { caption } : {}) });
  await refresh(chat);
}

async function press(chat, messageId, button) {
  if (button.url) {
    window.open(button.url, "_blank", "noopener");
    return;
  }
  await api("/control/press", { user_id: chat.id, message_id: messageId, data: button.callback_data });
}

async function refresh(chat) {
  const view = await api(`/control/messages?user_id=${chat.id}&after=0`);
  const items = [
    ...view.messages.filter((m) => !m.deleted).map((m) => ({ ...m, from: "bot" })),
    ...view.user_messages.map((m) => ({ ...m, from: "me" })),
  ].sort((a, b) => a.message_id - b.message_id);
  const shown = JSON.stringify(items.map((m) => [m.from, m.message_id, m.rev]));
  if (shown !== chat.shown) {
    chat.shown = shown;
    renderLog(chat, items);
  }
  const answers = view.callback_answers.filter((a) => a.text);
  if (chat.answersSeen !== null) {
    for (const answer of answers.filter((a) => a.seq > chat.answersSeen)) toast(chat, answer.text, answer.show_alert);
  }
  chat.answersSeen = Math.max(chat.answersSeen ?? 0, ...view.callback_answers.map((a) => a.seq));
}

function renderLog(chat, items) {
  const log = $(".log", chat.root);
  const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
  log.replaceChildren(...items.map((item) => (item.from === "bot" ? botMessage(chat, item) : ownMessage(item))));
  $(".start-wrap", chat.root).hidden = items.length > 0;
  if (atBottom || chat.firstRender !== false) log.scrollTop = log.scrollHeight;
  chat.firstRender = false;
}

function bubble(kind, text, date) {
  const element = document.createElement("div");
  element.className = `msg ${kind}`;
  if (text) {
    const body = document.createElement("div");
    body.className = "body";
    body.dir = "auto";
    body.textContent = text;
    element.append(body);
  }
  const meta = document.createElement("small");
  meta.className = "meta";
  meta.textContent = new Intl.DateTimeFormat(state.ui, {
    weekday: "short", hour: "2-digit", minute: "2-digit", timeZone: state.timezone,
  }).format(date * 1000);
  element.append(meta);
  return element;
}

function botMessage(chat, message) {
  const element = bubble("bot", message.text, message.edit_date || message.date);
  if (message.text && message.entities?.length) tappableCommands(chat, $(".body", element), message.text, message.entities);
  element.dataset.messageId = message.message_id;
  if (message.edited) $(".meta", element).prepend(`${t("edited")} `);
  if (message.file_url) {
    const players = { voice: "audio", audio: "audio", video: "video", video_note: "video" };
    const tag = message.kind === "photo" ? "img" : players[message.kind] || "a";
    const file = document.createElement(tag);
    if (message.kind === "photo") {
      file.src = message.file_url;
      file.alt = message.file_name || "photo";
    } else if (tag !== "a") {
      // A voice note or video passed on by the bot plays in place; the label says what it is.
      file.src = message.file_url;
      file.controls = true;
      file.title = message.kind === "voice" ? "🎤" : "🎬";
    } else {
      file.href = message.file_url;
      file.textContent = `📄 ${message.file_name || "file"}`;
      file.target = "_blank";
    }
    file.className = "file";
    element.prepend(file);
  }
  const rows = message.reply_markup?.inline_keyboard || [];
  if (rows.length) {
    const keyboard = document.createElement("div");
    keyboard.className = "keyboard";
    keyboard.dir = "ltr"; // rows as the bot sends them: it orders them for right-to-left readers itself
    for (const row of rows) {
      const line = document.createElement("div");
      line.className = "row";
      for (const button of row) {
        const key = document.createElement("button");
        key.type = "button";
        key.dir = "auto";
        key.textContent = button.text + (button.url ? " ↗" : "");
        if (button.callback_data) key.dataset.callback = button.callback_data;
        key.addEventListener("click", () => press(chat, message.message_id, button));
        line.append(key);
      }
      keyboard.append(line);
    }
    element.append(keyboard);
  }
  return element;
}

// The commands Telegram would find in the text (the emulator's bot_command entities) become
// links that send themselves, as in Telegram's apps. Offsets count UTF-16 units, as JS strings do.
function tappableCommands(chat, body, text, entities) {
  const parts = [];
  let at = 0;
  for (const entity of entities.filter((e) => e.type === "bot_command")) {
    const link = document.createElement("a");
    link.className = "command";
    link.href = "#";
    link.textContent = text.slice(entity.offset, entity.offset + entity.length);
    link.addEventListener("click", (event) => {
      event.preventDefault();
      send(chat, link.textContent);
    });
    parts.push(text.slice(at, entity.offset), link);
    at = entity.offset + entity.length;
  }
  parts.push(text.slice(at));
  body.replaceChildren(...parts);
}

function ownMessage(message) {
  const media = ["photo", "voice", "video", "sticker", "document", "location", "contact"].find((kind) => kind in message);
  const text = message.text ?? (media ? `[${media}]${message.caption ? " " + message.caption : ""}` : "");
  return bubble("me", text, message.date);
}

function toast(chat, text, alert) {
  const element = $(".toast", chat.root);
  element.textContent = text;
  element.classList.toggle("alert", Boolean(alert));
  element.hidden = false;
  clearTimeout(chat.toastTimer);
  chat.toastTimer = setTimeout(() => { element.hidden = true; }, alert ? 6000 : 3000);
}

async function toggleMenu(chat) {
  if (chat.menuOpen) return closeMenu(chat);
  const { commands } = await api(`/control/commands?user_id=${chat.id}`);
  const menu = $(".menu", chat.root);
  const title = document.createElement("b");
  title.textContent = t("commands");
  const entries = commands.map((command) => {
    const entry = document.createElement("button");
    entry.type = "button";
    const name = document.createElement("span");
    name.className = "command";
    name.dir = "ltr";
    name.textContent = `/${command.command}`;
    const description = document.createElement("span");
    description.textContent = command.description;
    entry.append(name, description);
    entry.addEventListener("click", () => send(chat, `/${command.command}`));
    return entry;
  });
  if (!entries.length) entries.push(Object.assign(document.createElement("p"), { textContent: t("noCommands") }));
  menu.replaceChildren(title, ...entries);
  menu.hidden = false;
  chat.menuOpen = true;
}

function closeMenu(chat) {
  $(".menu", chat.root).hidden = true;
  chat.menuOpen = false;
}

// ---- following the emulator --------------------------------------------------------------------

async function follow() {
  let people = -1;
  for (;;) {
    try {
      const changes = await api(`/control/changes?since=${state.seq}&timeout=20`);
      state.seq = changes.seq;
      if (changes.people !== people) {
        people = changes.people;
        await loadPeople();
      }
      const changed = new Set(changes.users);
      await Promise.all([...state.chats.values()].filter((c) => changed.has(c.id)).map(refresh));
      if (changed.size) showClock(await api("/control/clock")); // what she did may have made something due
    } catch (error) {
      console.warn("sandbox unreachable", error);
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
}

async function start() {
  $("#ui-language").addEventListener("change", async (event) => {
    state.ui = event.target.value;
    localStorage.setItem("sandbox.ui", state.ui);
    applyLabels();
    await loadPeople();
    showClock(await api("/control/clock"));
  });
  for (const button of document.querySelectorAll("[data-advance]")) {
    button.addEventListener("click", () => advance(button.dataset.advance));
  }
  $("#new-person").addEventListener("submit", createPerson);
  $("#demo").addEventListener("click", loadDemo);
  await loadPeople();
  fillLanguageSelects();
  applyLabels();
  showClock(await api("/control/clock"));
  for (const id of JSON.parse(localStorage.getItem("sandbox.chats") || "[]")) openChat(id);
  $("#empty").hidden = state.chats.size > 0;
  follow();
  setInterval(async () => showClock(await api("/control/clock")), 30000); // the real time moves too
}

start();
