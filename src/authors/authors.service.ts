import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Brackets, In, Repository, type FindOptionsWhere } from 'typeorm';
import type { AuthUser } from '../common/auth-user.js';
import { type Page, skipOf } from '../common/pagination.js';
import { Role } from '../common/role.enum.js';
import { Author } from './author.entity.js';
import type { CreateAuthorDto } from './dto/create-author.dto.js';
import type { ListAuthorsQueryDto } from './dto/list-authors-query.dto.js';
import type { UpdateAuthorDto } from './dto/update-author.dto.js';

type AuthorFields = Pick<Author, 'name' | 'book' | 'country' | 'bookerPrize'>;

/** `!` rather than a backslash: MySQL string literals treat a backslash as an escape, SQLite's do not. */
const LIKE_ESCAPE = '!';

@Injectable()
export class AuthorsService {
  constructor(@InjectRepository(Author) private readonly authors: Repository<Author>) {}

  /** A duplicate (owner, name, book) fails on the unique index and becomes 409 in the error filter. */
  async create(caller: AuthUser, dto: CreateAuthorDto): Promise<Author> {
    const now = new Date();
    const author = this.authors.create({
      id: randomUUID(),
      ownerId: caller.id,
      name: dto.name,
      book: dto.book,
      country: dto.country,
      bookerPrize: dto.bookerPrize ?? false,
      ...searchCopies(dto),
      createdAt: now,
      updatedAt: now,
    });
    await this.authors.insert(author);
    return author;
  }

  async list(caller: AuthUser, query: ListAuthorsQueryDto): Promise<Page<Author>> {
    // Every list is one owner's, so each query starts on an (owner_id, ...) index. Only an
    // admin picks the owner; anyone else's ownerId is ignored and never widens the list.
    const ownerId = caller.role === Role.Admin && query.ownerId !== undefined ? query.ownerId : caller.id;
    const filtered = this.authors.createQueryBuilder('author').where('author.ownerId = :ownerId', { ownerId });
    if (query.country !== undefined) filtered.andWhere('author.country = :country', { country: query.country });
    if (query.bookerPrize !== undefined) {
      filtered.andWhere('author.bookerPrize = :bookerPrize', { bookerPrize: query.bookerPrize ? 1 : 0 });
    }
    const q = query.q === undefined ? '' : fold(query.q.trim());
    if (q) {
      const pattern = `%${escapeLike(q)}%`;
      filtered.andWhere(
        new Brackets((match) =>
          match
            .where(`author.nameSearch LIKE :pattern ESCAPE '${LIKE_ESCAPE}'`, { pattern })
            .orWhere(`author.bookSearch LIKE :pattern ESCAPE '${LIKE_ESCAPE}'`, { pattern }),
        ),
      );
    }

    const order = query.sort.startsWith('-') ? 'DESC' : 'ASC';
    // Both orders are total, so pages are stable: (name, book) is unique per owner, and id
    // breaks ties between equal creation times.
    const [first, second] = query.sort.endsWith('name')
      ? ['author.nameSearch', 'author.bookSearch']
      : ['author.createdAt', 'author.id'];
    // Deferred join: the OFFSET walks only an index, and just the page's rows are read
    // from the table, so page 2000 costs about what page 1 does.
    const [idRows, countRow] = await Promise.all([
      filtered
        .clone()
        .select('author.id', 'id')
        .orderBy(first, order)
        .addOrderBy(second, order)
        .offset(skipOf(query))
        .limit(query.limit)
        .getRawMany<{ id: string }>(),
      // COUNT(*), not getCount(): TypeORM's COUNT(DISTINCT id) builds a temporary index on SQLite.
      filtered.clone().select('COUNT(*)', 'count').getRawOne<{ count: number | string }>(),
    ]);
    const ids = idRows.map((row) => row.id);
    const rows = ids.length > 0 ? await this.authors.findBy({ id: In(ids) }) : [];
    const byId = new Map(rows.map((author) => [author.id, author]));
    return {
      // A row deleted between the two queries is simply missing from the page.
      items: ids.flatMap((id) => byId.get(id) ?? []),
      total: Number(countRow?.count ?? 0),
      page: query.page,
      limit: query.limit,
    };
  }

  async findOne(caller: AuthUser, id: string): Promise<Author> {
    const author = await this.authors.findOneBy(scope(caller, id));
    if (!author) throw new NotFoundException('Author not found');
    return author;
  }

  replace(caller: AuthUser, id: string, dto: AuthorFields): Promise<Author> {
    return this.update(caller, id, dto);
  }

  /** Merges the given fields; an empty body returns the author unchanged. */
  async update(caller: AuthUser, id: string, dto: UpdateAuthorDto): Promise<Author> {
    const author = await this.findOne(caller, id);
    const changes: Partial<AuthorFields> = {};
    if (dto.name !== undefined) changes.name = dto.name;
    if (dto.book !== undefined) changes.book = dto.book;
    if (dto.country !== undefined) changes.country = dto.country;
    if (dto.bookerPrize !== undefined) changes.bookerPrize = dto.bookerPrize;
    if (Object.keys(changes).length === 0) return author;

    Object.assign(author, changes, { updatedAt: new Date() });
    const result = await this.authors.update(
      { id: author.id },
      { ...changes, ...searchCopies(author), updatedAt: author.updatedAt },
    );
    if (!result.affected) throw new NotFoundException('Author not found');
    return author;
  }

  async remove(caller: AuthUser, id: string): Promise<void> {
    const result = await this.authors.delete(scope(caller, id));
    if (!result.affected) throw new NotFoundException('Author not found');
  }
}

/** Another user's author is "not found", so its existence is not revealed; admins reach every author. */
function scope(caller: AuthUser, id: string): FindOptionsWhere<Author> {
  return caller.role === Role.Admin ? { id } : { id, ownerId: caller.id };
}

/** The copies `q`, the name sort and the unique index use; kept in step on every write. */
function searchCopies(fields: Pick<Author, 'name' | 'book'>): Pick<Author, 'nameSearch' | 'bookSearch'> {
  return { nameSearch: fold(fields.name), bookSearch: fold(fields.book) };
}

/**
 * Lower case that keeps the length: "İ" is the one character whose lower case is two code
 * points, which could overflow the search column; as a plain "i" it also matches `q=istanbul`.
 */
function fold(text: string): string {
  return text.replace(/\u0130/g, 'i').toLowerCase();
}

function escapeLike(text: string): string {
  return text.replace(/[!%_]/g, (character) => `${LIKE_ESCAPE}${character}`);
}
