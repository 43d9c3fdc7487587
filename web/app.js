// The search page. It only draws what the API answers; the URL's query string
// (q, region, year, unit, sort, page, item) is the whole state, so a reload, the
// back button or a shared link shows the same view.
'use strict';

const PAGE_SIZE = 10;
const UNITS_SHOWN = 12;
const MULTI = ['region', 'year', 'unit'];

const BASIS = {
  title: '见标题',
  metadata: '见正文',
  manifest: '整理者记录',
  inferred: '据线索推断',
  unknown: '未知',
};
const COMPLETENESS = { outline: '仅有提纲', truncated: '文本不完整' };

const $ = (id) => document.getElementById(id);
const ui = {
  form: $('search-form'), q: $('q'), sort: $('sort'), error: $('error'), total: $('total'),
  active: $('active'), chart: $('chart'), hits: $('hits'), pager: $('pager'),
  region: $('facet-region'), year: $('facet-year'), unit: $('facet-unit'),
  unitMore: $('unit-more'), panel: $('facet-panel'),
  reader: $('reader'), readerContent: $('reader-content'), readerClose: $('reader-close'),
};

// Which region tree nodes the reader has opened, and whether all units are shown.
const expanded = new Set();
let showAllUnits = false;
// Answers to an older state are dropped when a newer one was asked for.
let generation = 0;
let lastFacets = null;

// ---- state <-> URL ----

function readState() {
  const params = new URLSearchParams(location.search);
  const page = Number.parseInt(params.get('page') || '1', 10);
  return {
    q: params.get('q') || '',
    region: params.getAll('region').filter(Boolean),
    year: params.getAll('year').filter(Boolean),
    unit: params.getAll('unit').filter(Boolean),
    sort: params.get('sort') === 'year' ? 'year' : 'relevance',
    page: Number.isFinite(page) && page > 0 ? page : 1,
    item: params.get('item') || '',
  };
}

function toQuery(state, { paging = true, item = true } = {}) {
  const params = new URLSearchParams();
  if (state.q) params.set('q', state.q);
  for (const key of MULTI) for (const value of state[key]) params.append(key, value);
  if (paging && state.sort !== 'relevance') params.set('sort', state.sort);
  if (paging && state.page > 1) params.set('page', String(state.page));
  if (item && state.item) params.set('item', state.item);
  return params.toString();
}

// Moves to a new state: a new history entry, then draw it.
function go(changes) {
  const state = { ...readState(), ...changes };
  const query = toQuery(state);
  history.pushState(null, '', query ? `?${query}` : location.pathname);
  render();
}

// ---- API ----

class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || `请求失败(HTTP ${status})`);
    this.status = status;
    this.parameter = error.parameter || null;
    this.candidates = error.candidates || [];
  }
}

async function api(path) {
  let response;
  try {
    response = await fetch(path, { headers: { Accept: 'application/json' } });
  } catch {
    throw new ApiError(0, { error: { message: '无法连接服务器,请稍后再试。' } });
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON: the status alone has to explain it.
  }
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

// ---- drawing helpers ----

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) {
      node.append(child instanceof Node ? child : String(child));
    }
  }
  return node;
}

// The API escapes every snippet and marked title and adds only <mark>, so these two
// fields, and nothing else, are inserted as HTML.
function marked(tag, html, attrs = {}) {
  const node = el(tag, attrs);
  node.innerHTML = html;
  return node;
}

function regionName(region) {
  const parts = [region.province, region.city, region.county].filter(Boolean);
  return parts.length ? parts.join(' ') : '地区未知';
}

function yearName(year) {
  return year === null || year === undefined ? '年份未知' : `${year}年`;
}

function sectionName(section) {
  if (!section) return null;
  return section.title ? `${chineseNumber(section.number)}、${section.title}` : `第${section.number}部分`;
}

function chineseNumber(n) {
  const digits = '零一二三四五六七八九';
  if (n < 10) return digits[n];
  if (n < 20) return `十${n % 10 ? digits[n % 10] : ''}`;
  if (n < 100) return `${digits[Math.floor(n / 10)]}十${n % 10 ? digits[n % 10] : ''}`;
  return String(n);
}

function badges(entry) {
  const list = [];
  const label = COMPLETENESS[entry.completeness];
  if (label) {
    list.push(el('span', { class: `badge ${entry.completeness}`, 'data-testid': 'badge', text: label }));
  }
  return list;
}

function toggle(list, value) {
  return list.includes(value) ? list.filter((v) => v !== value) : [...list, value];
}

// ---- the page ----

async function render() {
  const state = readState();
  const mine = ++generation;
  ui.q.value = state.q;
  ui.sort.value = state.sort;
  document.title = state.q ? `${state.q} · 教育工作要点检索` : '教育工作要点检索';

  const filters = toQuery(state, { paging: false, item: false });
  const sort = state.sort === 'relevance' ? '' : `&sort=${state.sort}`;
  const search = `/api/search?${filters}${sort}&offset=${(state.page - 1) * PAGE_SIZE}&limit=${PAGE_SIZE}`;
  // The chart shows years only: no list of regions (some 3,300 at national scale).
  const stats = `/api/stats?${filters}&by_region=0`;

  renderReader(state, mine);
  try {
    const [answer, counts] = await Promise.all([api(search), api(stats).catch(() => null)]);
    if (mine !== generation) return;
    showError(null);
    renderTotal(state, answer);
    renderActive(state);
    renderFacets(state, answer.facets || lastFacets);
    if (answer.facets) lastFacets = answer.facets;
    renderHits(state, answer.hits);
    renderPager(state, answer.total);
    renderChart(counts);
  } catch (error) {
    if (mine !== generation) return;
    showError(error, state);
    ui.hits.replaceChildren();
    ui.pager.replaceChildren();
    ui.total.textContent = '';
    ui.chart.hidden = true;
    renderActive(state);
  }
}

function showError(error, state) {
  if (!error) {
    ui.error.hidden = true;
    ui.error.replaceChildren();
    return;
  }
  const parts = [];
  if (error.candidates.length && state) {
    // An ambiguous region name: offer each division it could mean.
    const ambiguous = state.region.filter((r) => !/^\d{6}$/.test(r));
    const names = ambiguous.length ? `“${ambiguous.join('、')}”` : '这个地名';
    parts.push(el('p', { text: `${names}对应多个地区,请选择其一:` }));
    parts.push(el('ul', { class: 'candidates' }, error.candidates.map((c) => el('li', {},
      el('button', {
        type: 'button',
        'data-testid': 'candidate',
        onclick: () => go({ region: [...state.region.filter((r) => !ambiguous.includes(r)), c.code], page: 1 }),
        text: `${c.name}(${c.code})`,
      })))));
  } else {
    const what = error.parameter ? `参数 ${error.parameter} 有误:` : '出错了:';
    parts.push(el('p', { text: `${what}${error.message}` }));
  }
  ui.error.replaceChildren(...parts);
  ui.error.hidden = false;
}

function renderTotal(state, answer) {
  const filtered = MULTI.some((k) => state[k].length);
  const scope = state.q ? `“${state.q}”` : (filtered ? '所选范围' : '全部条目');
  ui.total.replaceChildren(
    `${scope}共 `, el('strong', { text: String(answer.total) }), ' 条',
  );
}

function renderActive(state) {
  const chips = [];
  for (const key of MULTI) {
    for (const value of state[key]) {
      chips.push(el('li', {}, el('button', {
        type: 'button',
        class: 'chip',
        title: '取消此筛选',
        onclick: () => go({ [key]: state[key].filter((v) => v !== value), page: 1 }),
        text: `${filterLabel(key, value)} ✕`,
      })));
    }
  }
  ui.active.replaceChildren(...chips);
}

// A filter value's display name: a region code is shown by its facet name when known.
function filterLabel(key, value) {
  if (key === 'year') return value === 'unknown' ? '年份未知' : `${value}年`;
  if (key === 'region') {
    const found = lastFacets && findRegion(lastFacets.region, value);
    return found ? found.value : value;
  }
  return value;
}

function findRegion(nodes, code) {
  for (const node of nodes || []) {
    if (node.code === code) return node;
    const inner = findRegion(node.children, code);
    if (inner) return inner;
  }
  return null;
}

function facetButton(key, value, label, count, selected) {
  return el('button', {
    type: 'button',
    class: selected ? 'value selected' : 'value',
    'aria-pressed': selected ? 'true' : 'false',
    'data-testid': 'facet-value',
    'data-facet': key,
    'data-value': value,
    onclick: () => go({ [key]: toggle(readState()[key], value), page: 1, item: '' }),
  }, el('span', { class: 'label', text: label }), el('span', { class: 'count', text: String(count) }));
}

function renderFacets(state, facets) {
  if (!facets) {
    ui.region.replaceChildren();
    ui.year.replaceChildren();
    ui.unit.replaceChildren();
    return;
  }
  ui.region.replaceChildren(...facets.region.map((node) => regionNode(state, node)));
  if (!facets.region.length) ui.region.append(el('li', { class: 'none', text: '无' }));

  ui.year.replaceChildren(...facets.year.map((y) => {
    const value = y.value === null ? 'unknown' : String(y.value);
    return el('li', {}, facetButton('year', value, yearName(y.value), y.count, state.year.includes(value)));
  }));
  if (!facets.year.length) ui.year.append(el('li', { class: 'none', text: '无' }));

  const units = facets.unit;
  const shown = showAllUnits ? units : units.filter((u, i) => i < UNITS_SHOWN || state.unit.includes(u.value));
  ui.unit.replaceChildren(...shown.map((u) =>
    el('li', {}, facetButton('unit', u.value, u.value, u.count, state.unit.includes(u.value)))));
  if (!units.length) ui.unit.append(el('li', { class: 'none', text: '无' }));
  ui.unitMore.hidden = units.length <= UNITS_SHOWN;
  ui.unitMore.textContent = showAllUnits ? '收起' : `显示全部 ${units.length} 个`;
}

function hasSelected(node, state) {
  return state.region.includes(node.code) || node.children.some((c) => hasSelected(c, state));
}

function regionNode(state, node) {
  const open = expanded.has(node.code) || node.children.some((c) => hasSelected(c, state));
  const item = el('li', { class: open ? 'open' : '' });
  const row = el('div', { class: 'row' });
  if (node.children.length) {
    row.append(el('button', {
      type: 'button',
      class: 'twisty',
      'aria-expanded': open ? 'true' : 'false',
      'aria-label': open ? `收起${node.value}` : `展开${node.value}`,
      'data-testid': 'facet-expand',
      'data-value': node.code,
      onclick: () => {
        if (open) expanded.delete(node.code); else expanded.add(node.code);
        renderFacets(readState(), lastFacets);
      },
      text: open ? '▾' : '▸',
    }));
  } else {
    row.append(el('span', { class: 'twisty leaf' }));
  }
  row.append(facetButton('region', node.code, node.value, node.count, state.region.includes(node.code)));
  item.append(row);
  if (node.children.length && open) {
    item.append(el('ul', {}, node.children.map((c) => regionNode(state, c))));
  }
  return item;
}

function renderHits(state, hits) {
  if (!hits.length) {
    ui.hits.replaceChildren(el('li', { class: 'empty', 'data-testid': 'no-hits' },
      state.q ? '没有找到匹配的条目。试试更短的词,或去掉一些筛选条件。' : '没有符合条件的条目。'));
    return;
  }
  ui.hits.replaceChildren(...hits.map((hit) => {
    const link = `?${toQuery({ ...state, item: hit.id })}`;
    const number = hit.number === null ? '' : `${hit.number}. `;
    return el('li', { class: 'hit', 'data-testid': 'hit', 'data-id': hit.id },
      el('h3', {},
        el('a', {
          href: link,
          'data-testid': 'hit-title',
          onclick: (event) => {
            if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
            event.preventDefault();
            go({ item: hit.id });
          },
        }, el('span', { class: 'number', text: number }), marked('span', hit.title_marked)),
        ...badges(hit)),
      marked('p', hit.snippet, { class: 'snippet', 'data-testid': 'hit-snippet' }),
      el('p', { class: 'meta' },
        el('span', { class: 'region', text: regionName(hit.region) }),
        el('span', { class: 'year', text: yearName(hit.year) }),
        sectionName(hit.section) && el('span', { class: 'section', text: sectionName(hit.section) })),
      el('p', { class: 'plan', text: hit.plan_title }),
      hit.units.length ? el('p', { class: 'units', text: `责任单位:${hit.units.join('、')}` }) : null);
  }));
}

function renderPager(state, total) {
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  if (pages <= 1) {
    ui.pager.replaceChildren();
    return;
  }
  const page = Math.min(state.page, pages);
  const link = (n, label, attrs = {}) => el('a', {
    href: `?${toQuery({ ...state, page: n, item: '' })}`,
    ...attrs,
    onclick: (event) => {
      event.preventDefault();
      go({ page: n, item: '' });
      window.scrollTo(0, 0);
    },
  }, label);
  const parts = [];
  if (page > 1) parts.push(link(page - 1, '‹ 上一页', { 'data-testid': 'prev', rel: 'prev' }));
  const near = [1, page - 2, page - 1, page, page + 1, page + 2, pages]
    .filter((n, i, all) => n >= 1 && n <= pages && all.indexOf(n) === i)
    .sort((a, b) => a - b);
  near.forEach((n, i) => {
    if (i > 0 && n - near[i - 1] > 1) parts.push(el('span', { class: 'gap', text: '…' }));
    parts.push(n === page ? el('span', { class: 'current', 'aria-current': 'page', text: String(n) }) : link(n, String(n)));
  });
  if (page < pages) parts.push(link(page + 1, '下一页 ›', { 'data-testid': 'next', rel: 'next' }));
  ui.pager.replaceChildren(...parts);
}

// ---- the chart: items and regions per year, from /api/stats ----

const SVG = 'http://www.w3.org/2000/svg';

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

function renderChart(stats) {
  const years = stats ? stats.by_year.filter((y) => y.year !== null) : [];
  if (!years.length) {
    ui.chart.hidden = true;
    ui.chart.replaceChildren();
    return;
  }
  const [width, height, left, right, top, bottom] = [720, 150, 36, 36, 16, 22];
  const plotH = height - bottom - top;
  const step = (width - left - right) / years.length;
  // Items and regions differ by orders of magnitude: each gets its own axis.
  const maxItems = Math.max(1, ...years.map((y) => y.items));
  const maxRegions = Math.max(1, ...years.map((y) => y.regions));
  const yItems = (v) => top + plotH - (v / maxItems) * plotH;
  const yRegions = (v) => top + plotH - (v / maxRegions) * plotH;
  const chart = svg('svg', {
    viewBox: `0 0 ${width} ${height}`, role: 'img', class: 'chart-svg',
    'aria-label': `各年份命中条目数与地区数:${years.map((y) => `${y.year}年 ${y.items} 条、${y.regions} 个地区`).join(';')}`,
  });
  chart.append(svg('line', { x1: left, y1: top + plotH, x2: width - right, y2: top + plotH, class: 'axis' }));
  chart.append(svg('text', { x: left - 6, y: top + 4, class: 'tick items', 'text-anchor': 'end' }, String(maxItems)));
  chart.append(svg('text', { x: width - right + 6, y: top + 4, class: 'tick regions' }, String(maxRegions)));
  chart.append(svg('text', { x: left - 6, y: top + plotH, class: 'tick', 'text-anchor': 'end' }, '0'));
  chart.append(svg('text', { x: width - right + 6, y: top + plotH, class: 'tick' }, '0'));
  const points = [];
  const barW = Math.min(36, step * 0.5);
  years.forEach((y, i) => {
    const cx = left + (i + 0.5) * step;
    const bar = svg('rect', {
      x: cx - barW / 2, y: yItems(y.items), width: barW, height: top + plotH - yItems(y.items), class: 'bar',
    });
    bar.append(svg('title', {}, `${y.year}年:${y.items} 条,${y.regions} 个地区`));
    chart.append(bar);
    chart.append(svg('text', { x: cx - barW / 2 - 3, y: Math.max(top + 8, yItems(y.items) + 10), class: 'value', 'text-anchor': 'end' }, String(y.items)));
    chart.append(svg('text', { x: cx, y: height - 6, class: 'tick', 'text-anchor': 'middle' }, String(y.year)));
    points.push([cx, yRegions(y.regions), y.regions]);
  });
  chart.append(svg('polyline', { points: points.map(([x, y]) => `${x},${y}`).join(' '), class: 'line' }));
  for (const [x, y, n] of points) {
    chart.append(svg('circle', { cx: x, cy: y, r: 3.5, class: 'dot' }));
    chart.append(svg('text', { x: x + 6, y: y - 5, class: 'value regions' }, String(n)));
  }
  const unknown = stats.by_year.find((y) => y.year === null);
  ui.chart.replaceChildren(
    el('figcaption', {},
      el('span', { class: 'key bar-key', text: '命中条目数(左轴)' }),
      el('span', { class: 'key line-key', text: '发文地区数(右轴)' }),
      unknown ? el('span', { class: 'note', text: `另有年份未知 ${unknown.items} 条` }) : null),
    chart,
  );
  ui.chart.hidden = false;
}

// ---- the reader: a whole plan, the chosen item in view ----

let readerPlan = null;

async function renderReader(state, mine) {
  if (!state.item) {
    closeReaderView();
    return;
  }
  try {
    const item = await api(`/api/items/${encodeURIComponent(state.item)}`);
    const plan = readerPlan && readerPlan.id === item.plan_id
      ? readerPlan
      : await api(`/api/plans/${encodeURIComponent(item.plan_id)}`);
    if (mine !== generation) return;
    readerPlan = plan;
    drawPlan(plan, item);
  } catch (error) {
    if (mine !== generation) return;
    ui.readerContent.replaceChildren(el('div', { class: 'error', role: 'alert', 'data-testid': 'reader-error' },
      error.status === 404 ? '找不到这个条目,可能索引已经更新。' : `出错了 — ${error.message}`));
    openReaderView();
  }
}

function metaRow(label, value, basis) {
  if (value === null || value === undefined || value === '') value = '未注明';
  return [
    el('dt', { text: label }),
    el('dd', {}, value, basis ? el('span', { class: 'basis', text: `(${BASIS[basis] || basis})` }) : null),
  ];
}

function drawPlan(plan, current) {
  const provenance = plan.provenance || {};
  const source = [el('span', { text: plan.source })];
  if (provenance.url) {
    source.push(' · ', el('a', { href: provenance.url, rel: 'noopener noreferrer external', target: '_blank', text: provenance.url }));
  }
  if (provenance.kind) source.push(` · ${provenance.kind === 'official' ? '官方网站' : '转载'}`);
  if (provenance.retrieved) source.push(` · 获取于 ${provenance.retrieved}`);

  const meta = el('dl', { class: 'plan-meta', 'data-testid': 'plan-meta' },
    metaRow('发文单位', plan.issuer, plan.issuer_basis),
    metaRow('地区', regionName(plan.region), plan.region.basis),
    metaRow('年份', plan.year === null ? null : `${plan.year}年`, plan.year_basis),
    metaRow('文号', plan.doc_number),
    metaRow('发布日期', plan.published),
    [el('dt', { text: '来源' }), el('dd', {}, ...source)],
    plan.clues && plan.clues.length
      ? [el('dt', { text: '推断依据' }), el('dd', {}, el('ul', { class: 'clues' }, plan.clues.map((c) => el('li', { text: c }))))]
      : null);

  const body = [];
  if (plan.preamble) {
    const id = `${plan.id}-pre`;
    body.push(el('section', { class: 'preamble' },
      el('article', { class: id === current.id ? 'plan-item current' : 'plan-item', 'data-testid': 'plan-item', 'data-id': id },
        el('h4', {}, '总体要求', id === current.id ? el('span', { class: 'badge hit-badge', text: '检索命中' }) : null),
        el('p', { class: 'body', text: plan.preamble }))));
  }
  const sections = new Map(plan.sections.map((s) => [s.number, { section: s, items: [] }]));
  const loose = [];
  for (const item of plan.items) {
    const group = item.section === null ? null : sections.get(item.section);
    if (group) group.items.push(item);
    else if (item.section !== null) sections.set(item.section, { section: { number: item.section, title: null }, items: [item] });
    else loose.push(item);
  }
  const itemNode = (item) => el('article', {
    class: item.id === current.id ? 'plan-item current' : 'plan-item',
    'data-testid': 'plan-item',
    'data-id': item.id,
    'aria-current': item.id === current.id ? 'true' : null,
  },
  el('h4', {}, `${item.number}. ${item.title}`, ...badges(item),
    item.id === current.id ? el('span', { class: 'badge hit-badge', text: '检索命中' }) : null),
  item.body ? el('p', { class: 'body', text: item.body }) : null,
  item.units.length ? el('p', { class: 'units', text: `责任单位:${item.units.join('、')}` }) : null);
  if (loose.length) body.push(el('section', {}, loose.map(itemNode)));
  for (const { section, items } of [...sections.values()].sort((a, b) => a.section.number - b.section.number)) {
    body.push(el('section', {},
      el('h3', { text: sectionName(section) }),
      items.map(itemNode)));
  }

  ui.readerContent.replaceChildren(
    el('h2', { id: 'reader-title', 'data-testid': 'plan-title', text: plan.title }),
    meta,
    el('div', { class: 'plan-body' }, body),
  );
  openReaderView();
  const target = ui.readerContent.querySelector('.plan-item.current');
  if (target) target.scrollIntoView({ block: 'center' });
}

function openReaderView() {
  ui.reader.hidden = false;
  document.body.classList.add('reading');
  ui.readerClose.focus({ preventScroll: true });
}

function closeReaderView() {
  ui.reader.hidden = true;
  document.body.classList.remove('reading');
}

function closeReader() {
  if (readState().item) go({ item: '' });
}

// ---- wiring ----

ui.form.addEventListener('submit', (event) => {
  event.preventDefault();
  go({ q: ui.q.value.trim(), page: 1, item: '' });
});
ui.sort.addEventListener('change', () => go({ sort: ui.sort.value, page: 1, item: '' }));
ui.unitMore.addEventListener('click', () => {
  showAllUnits = !showAllUnits;
  renderFacets(readState(), lastFacets);
});
ui.readerClose.addEventListener('click', closeReader);
ui.reader.addEventListener('click', (event) => {
  if (event.target === ui.reader) closeReader();
});
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && !ui.reader.hidden) closeReader();
});
window.addEventListener('popstate', render);

// On a phone the facets start folded above the results.
if (window.matchMedia('(max-width: 720px)').matches) ui.panel.open = false;

render();
