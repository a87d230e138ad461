import { AuthorText, BookerPrize } from './author-fields.js';

/** PUT replaces the author, so every writable field is required. */
export class ReplaceAuthorDto {
  @AuthorText('name', true)
  name: string;

  @AuthorText('book', true)
  book: string;

  @AuthorText('country', true)
  country: string;

  @BookerPrize(true)
  bookerPrize: boolean;
}
