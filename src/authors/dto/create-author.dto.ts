import { AuthorText, BookerPrize } from './author-fields.js';

export class CreateAuthorDto {
  @AuthorText('name', true)
  name: string;

  @AuthorText('book', true)
  book: string;

  @AuthorText('country', true)
  country: string;

  @BookerPrize(false, true)
  bookerPrize?: boolean;
}
