import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('authors')
export class Author {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'owner_id', type: 'varchar', length: 36 })
  ownerId: string;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'varchar', length: 200 })
  book: string;

  @Column({ type: 'varchar', length: 60 })
  country: string;

  @Column({ name: 'booker_prize', type: 'boolean', default: false })
  bookerPrize: boolean;

  /**
   * Lower-cased copies for `q`: SQLite's LIKE folds only ASCII case and MySQL's collation
   * also folds accents, so both search these with a binary comparison instead.
   */
  @Column({ name: 'name_search', type: 'varchar', length: 100, select: false })
  nameSearch: string;

  @Column({ name: 'book_search', type: 'varchar', length: 200, select: false })
  bookSearch: string;

  @Column({ name: 'created_at', type: Date, precision: 3 })
  createdAt: Date;

  @Column({ name: 'updated_at', type: Date, precision: 3 })
  updatedAt: Date;
}
