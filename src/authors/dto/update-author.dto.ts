import { AuthorText, BookerPrize } from './author-fields.js';

/** PATCH merges the fields given into the author. */
export class UpdateAuthorDto {
  @AuthorText('name', false)
  name?: string;

  @AuthorText('book', false)
  book?: string;

  @AuthorText('country', false)
  country?: string;

  @BookerPrize(false)
  bookerPrize?: boolean;
}
