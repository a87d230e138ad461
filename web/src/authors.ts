import * as http from './api.js';
import { ApiError, type Author, type Query, type Schemas } from './api.js';
import { badge, card, emptyState, h, pageHeader, replace, spinner, srOnly, timeEl, toast } from './dom.js';
import { checkboxField, Form, selectField, textField } from './forms.js';
import type { ViewContext } from './router.js';

const PAGE_SIZE = 10;
type Sort = NonNullable<Query<'/api/authors'>['sort']>;
const SORTS: Array<[Sort, string]> = [
  ['-createdAt', 'Newest first'],
  ['createdAt', 'Oldest first'],
  ['name', 'Name A–Z'],
  ['-name', 'Name Z–A'],
];

interface ListState {
  page: number;
  q: string;
  country: string;
  bookerPrize: '' | NonNullable<Query<'/api/authors'>['bookerPrize']>;
  sort: Sort;
}

function stateFrom(params: URLSearchParams): ListState {
  const page = Number.parseInt(params.get('page') ?? '1', 10);
  const bp = params.get('bookerPrize');
  const sort = SORTS.find(([v]) => v === params.get('sort'))?.[0];
  return {
    page: Number.isFinite(page) && page > 0 ? page : 1,
    q: params.get('q') ?? '',
    country: params.get('country') ?? '',
    bookerPrize: bp === 'true' || bp === 'false' ? bp : '',
    sort: sort ?? '-createdAt',
  };
}

function paramsFrom(state: ListState): URLSearchParams {
  const p = new URLSearchParams();
  if (state.page > 1) p.set('page', String(state.page));
  if (state.q) p.set('q', state.q);
  if (state.country) p.set('country', state.country);
  if (state.bookerPrize) p.set('bookerPrize', state.bookerPrize);
  if (state.sort !== '-createdAt') p.set('sort', state.sort);
  return p;
}

export function authorsView(ctx: ViewContext): void {
  let state = stateFrom(ctx.params);
  let editing: Author | null = null;
  let returnFocus: HTMLElement | null = null;

  const newButton = h('button', { type: 'button', class: 'btn btn-primary', onclick: () => openEditor(null, newButton) }, 'New author');
  const editorCard = h('section', { class: 'card card-accent', hidden: true, 'aria-labelledby': 'author-editor-title' });
  const meta = h('p', { class: 'list-meta', 'aria-live': 'polite' });
  const listArea = h('div', { class: 'list-area' });
  const pager = h('nav', { class: 'pager', 'aria-label': 'Authors pages' });

  const filters = new Form(
    'author-filters',
    [
      textField('author-filters', { name: 'q', label: 'Search', type: 'search', value: state.q, hint: 'Matches name or book.', attrs: { placeholder: 'e.g. Ishiguro' } }),
      textField('author-filters', { name: 'country', label: 'Country', value: state.country, attrs: { placeholder: 'Any country' } }),
      selectField('author-filters', {
        name: 'bookerPrize',
        label: 'Booker Prize',
        value: state.bookerPrize,
        options: [
          ['', 'Any'],
          ['true', 'Winners'],
          ['false', 'Not winners'],
        ],
      }),
      selectField('author-filters', { name: 'sort', label: 'Sort by', value: state.sort, options: SORTS }),
    ],
    'Apply',
    async (f) => {
      state = {
        page: 1,
        q: f.value('q').trim(),
        country: f.value('country').trim(),
        bookerPrize: f.value('bookerPrize') as ListState['bookerPrize'],
        sort: f.value('sort') as Sort,
      };
      await load();
    },
    {
      class: 'form filters',
      label: 'Search and filter authors',
      extraActions: h('button', { type: 'button', class: 'btn btn-ghost', onclick: () => resetFilters() }, 'Reset'),
    },
  );
  filters.el.setAttribute('role', 'search');
  // A choice from a list takes effect at once; typed text waits for Apply (or Enter).
  for (const name of ['sort', 'bookerPrize'] as const) {
    filters.control(name).addEventListener('change', () => filters.el.requestSubmit());
  }

  replace(
    ctx.root,
    pageHeader('Authors', 'Writers and the books that made them.', newButton),
    editorCard,
    card(h('h2', { class: 'sr-only' }, 'Search and filters'), filters.el),
    h('section', { class: 'card', 'aria-labelledby': 'authors-list-title' }, h('h2', { class: 'card-title', id: 'authors-list-title' }, 'Your authors'), meta, listArea, pager),
  );

  function resetFilters(): void {
    for (const name of ['q', 'country'] as const) (filters.control(name) as HTMLInputElement).value = '';
    (filters.control('bookerPrize') as HTMLSelectElement).value = '';
    (filters.control('sort') as HTMLSelectElement).value = '-createdAt';
    state = { page: 1, q: '', country: '', bookerPrize: '', sort: '-createdAt' };
    void load();
  }

  async function load(): Promise<void> {
    ctx.replaceParams(paramsFrom(state));
    listArea.setAttribute('aria-busy', 'true');
    if (!listArea.hasChildNodes()) replace(listArea, spinner('Loading authors…'));
    let data: Schemas['AuthorPageDto'];
    try {
      data = await http.ok(
        http.api.GET('/api/authors', {
          params: { query: { page: state.page, limit: PAGE_SIZE, q: state.q, country: state.country, bookerPrize: state.bookerPrize || undefined, sort: state.sort } },
        }),
      );
    } catch (err) {
      if (!ctx.isCurrent() || (err instanceof ApiError && err.sessionLost)) return;
      listArea.removeAttribute('aria-busy');
      replace(listArea, h('div', { class: 'alert alert-error', role: 'alert' }, err instanceof Error ? err.message : 'Could not load authors.'));
      pager.replaceChildren();
      return;
    }
    if (!ctx.isCurrent()) return;
    listArea.removeAttribute('aria-busy');
    const pages = Math.max(1, Math.ceil(data.total / data.limit));
    if (data.items.length === 0 && state.page > 1 && data.total > 0) {
      state.page = pages;
      return load();
    }
    const filtered = Boolean(state.q || state.country || state.bookerPrize);
    // With no results the empty state says it visibly; the line stays for screen readers.
    meta.classList.toggle('sr-only', data.total === 0);
    if (data.total === 0) {
      meta.textContent = filtered ? 'No authors match these filters.' : 'No authors yet.';
      replace(
        listArea,
        filtered
          ? emptyState('Nothing found', 'Try another search or reset the filters.')
          : emptyState('No authors yet', 'Add the first writer you love.', h('button', { type: 'button', class: 'btn btn-primary', onclick: (e) => openEditor(null, e.currentTarget as HTMLElement) }, 'Add an author')),
      );
      pager.replaceChildren();
      return;
    }
    const from = (data.page - 1) * data.limit + 1;
    const to = from + data.items.length - 1;
    meta.textContent = `Showing ${from}–${to} of ${data.total} ${data.total === 1 ? 'author' : 'authors'}${filtered ? ' matching your filters' : ''}.`;
    replace(listArea, table(data.items));
    renderPager(data.page, pages);
  }

  function table(items: Author[]): HTMLElement {
    return h(
      'table',
      { class: 'table table-authors' },
      h('caption', { class: 'sr-only' }, 'Authors'),
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', { scope: 'col', class: 'col-name' }, 'Name'),
          h('th', { scope: 'col', class: 'col-book' }, 'Book'),
          h('th', { scope: 'col', class: 'col-country' }, 'Country'),
          h('th', { scope: 'col', class: 'col-booker' }, 'Booker Prize'),
          h('th', { scope: 'col', class: 'col-added' }, 'Added'),
          h('th', { scope: 'col', class: 'col-actions' }, h('span', { class: 'sr-only' }, 'Actions')),
        ),
      ),
      h('tbody', null, items.map(row)),
    );
  }

  function row(author: Author): HTMLElement {
    const actions = h('td', { class: 'actions', 'data-label': 'Actions' });
    const tr = h(
      'tr',
      { 'data-author-id': author.id },
      h('th', { scope: 'row', 'data-label': 'Name' }, author.name),
      h('td', { 'data-label': 'Book' }, h('cite', null, author.book)),
      h('td', { 'data-label': 'Country' }, author.country),
      h('td', { 'data-label': 'Booker Prize' }, author.bookerPrize ? badge('Winner', 'accent') : h('span', { class: 'muted' }, 'No')),
      h('td', { 'data-label': 'Added' }, timeEl(author.createdAt, false)),
      actions,
    );
    const showButtons = () => {
      const edit = h('button', { type: 'button', class: 'btn btn-secondary btn-sm', onclick: () => openEditor(author, edit) }, 'Edit', srOnly(` ${author.name}`));
      const del = h('button', { type: 'button', class: 'btn btn-danger-outline btn-sm', onclick: () => confirmDelete() }, 'Delete', srOnly(` ${author.name}`));
      replace(actions, h('div', { class: 'row-actions' }, edit, del));
      return { edit, del };
    };
    const confirmDelete = () => {
      const cancel = h('button', { type: 'button', class: 'btn btn-ghost btn-sm', onclick: () => showButtons().del.focus() }, 'Cancel');
      const yes = h('button', { type: 'button', class: 'btn btn-danger btn-sm', onclick: () => void doDelete(yes) }, 'Yes, delete', srOnly(` ${author.name}`));
      replace(actions, h('div', { class: 'confirm-inline', role: 'group', 'aria-label': `Delete ${author.name}?` }, h('span', { class: 'confirm-text' }, 'Delete?'), yes, cancel));
      yes.focus();
    };
    const doDelete = async (btn: HTMLButtonElement) => {
      btn.setAttribute('aria-disabled', 'true');
      try {
        await http.ok(http.api.DELETE('/api/authors/{id}', { params: { path: { id: author.id } } }));
        toast(`“${author.name}” was deleted.`);
        if (editing?.id === author.id) closeEditor(false);
        await load();
        focusListHeading();
      } catch (err) {
        if (err instanceof ApiError && err.sessionLost) return;
        btn.removeAttribute('aria-disabled');
        if (err instanceof ApiError && err.status === 404) {
          toast('That author no longer exists.', 'info');
          await load();
          focusListHeading();
          return;
        }
        toast(err instanceof Error ? err.message : 'Could not delete the author.', 'error');
      }
    };
    showButtons();
    return tr;
  }

  function focusListHeading(): void {
    const heading = document.getElementById('authors-list-title');
    if (heading) {
      heading.setAttribute('tabindex', '-1');
      heading.focus();
    }
  }

  function renderPager(page: number, pages: number): void {
    if (pages <= 1) {
      pager.replaceChildren();
      return;
    }
    const go = (p: number) => {
      state.page = p;
      void load().then(focusListHeading);
    };
    replace(
      pager,
      h('button', { type: 'button', class: 'btn btn-secondary btn-sm', disabled: page <= 1, onclick: () => go(page - 1) }, '← Previous', srOnly(' page')),
      h('span', { class: 'pager-status' }, `Page ${page} of ${pages}`),
      h('button', { type: 'button', class: 'btn btn-secondary btn-sm', disabled: page >= pages, onclick: () => go(page + 1) }, 'Next', srOnly(' page'), ' →'),
    );
  }

  function openEditor(author: Author | null, trigger: HTMLElement | null): void {
    editing = author;
    returnFocus = trigger;
    const title = author ? `Edit ${author.name}` : 'New author';
    const form = new Form(
      'author',
      [
        h(
          'div',
          { class: 'grid grid-2 tight' },
          textField('author', { name: 'name', label: 'Name', required: true, value: author?.name, attrs: { maxlength: 100 } }),
          textField('author', { name: 'book', label: 'Book', required: true, value: author?.book, attrs: { maxlength: 200 } }),
          textField('author', { name: 'country', label: 'Country', required: true, value: author?.country, autocomplete: 'country-name', attrs: { maxlength: 60 } }),
        ),
        checkboxField('author', 'bookerPrize', 'Won the Booker Prize', author?.bookerPrize ?? false),
      ],
      author ? 'Save changes' : 'Add author',
      async (f) => {
        const body: Schemas['ReplaceAuthorDto'] = {
          name: f.value('name').trim(),
          book: f.value('book').trim(),
          country: f.value('country').trim(),
          bookerPrize: f.checked('bookerPrize'),
        };
        try {
          if (author) {
            await http.ok(http.api.PUT('/api/authors/{id}', { params: { path: { id: author.id } }, body }));
          } else {
            await http.ok(http.api.POST('/api/authors', { body }));
          }
        } catch (err) {
          f.showError(err, {
            409: 'You already have this author with this book.',
            404: 'This author no longer exists. It may have been deleted elsewhere.',
          });
          return;
        }
        toast(author ? `“${body.name}” was saved.` : `“${body.name}” was added.`);
        closeEditor(false);
        if (!author) state.page = 1;
        await load();
        focusListHeading();
      },
      {
        label: title,
        extraActions: h('button', { type: 'button', class: 'btn btn-ghost', onclick: () => closeEditor(true) }, 'Cancel'),
      },
    );
    form.el.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') closeEditor(true);
    });
    replace(editorCard, h('h2', { class: 'card-title', id: 'author-editor-title' }, title), form.el);
    editorCard.hidden = false;
    newButton.hidden = true;
    editorCard.scrollIntoView({ block: 'nearest' });
    form.control('name').focus();
  }

  function closeEditor(restoreFocus: boolean): void {
    editing = null;
    editorCard.hidden = true;
    editorCard.replaceChildren();
    newButton.hidden = false;
    if (restoreFocus) (returnFocus?.isConnected ? returnFocus : newButton).focus();
    returnFocus = null;
  }

  void load();
}
