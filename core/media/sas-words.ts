// The short authentication string: four bytes of the call secret shown as four words from a fixed
// list of 256 (32 bits). Two people read them to each other at the start of a call; a party in the
// middle would have to match them by chance, one try per call. The list is part of the protocol:
// reordering or changing a word changes what both screens show, so the fixture test pins it.
export const SAS_WORDS: readonly string[] = [
  'acid', 'acorn', 'actor', 'adult', 'agent', 'alarm', 'album', 'alley', 'amber', 'angle', 'ankle', 'apple',
  'apron', 'arena', 'armor', 'arrow', 'atlas', 'attic', 'autumn', 'award', 'bacon', 'badge', 'bagel', 'baker',
  'bamboo', 'banjo', 'barn', 'basil', 'basket', 'beach', 'beard', 'beaver', 'bell', 'bench', 'berry', 'bike',
  'bird', 'bison', 'blade', 'blanket', 'bloom', 'board', 'boat', 'bonus', 'boot', 'bottle', 'boxer', 'brain',
  'brick', 'bridge', 'broom', 'bubble', 'bucket', 'bugle', 'bunny', 'butter', 'cabin', 'cactus', 'camel',
  'candle', 'canoe', 'canyon', 'carpet', 'carrot', 'castle', 'cattle', 'cedar', 'cellar', 'chair', 'chalk',
  'cheese', 'cherry', 'chess', 'chief', 'chimney', 'circle', 'clock', 'cloud', 'clover', 'coach', 'cobra',
  'cocoa', 'comet', 'coral', 'cotton', 'cowboy', 'crab', 'crane', 'crayon', 'cricket', 'crown', 'cube',
  'cupcake', 'curtain', 'cushion', 'daisy', 'dancer', 'delta', 'desert', 'diamond', 'dinner', 'doctor',
  'dolphin', 'donkey', 'dragon', 'drum', 'duck', 'eagle', 'earth', 'easel', 'echo', 'eel', 'elbow',
  'elephant', 'elm', 'ember', 'engine', 'falcon', 'farmer', 'feather', 'fence', 'fern', 'ferry', 'fiddle',
  'field', 'finch', 'flag', 'flame', 'flute', 'forest', 'fossil', 'fox', 'frog', 'galaxy', 'garden', 'garlic',
  'gecko', 'giant', 'ginger', 'glacier', 'globe', 'goat', 'gold', 'goose', 'grape', 'guitar', 'hammer',
  'harbor', 'harp', 'hawk', 'hazel', 'helmet', 'hero', 'hill', 'honey', 'horse', 'hotel', 'igloo', 'iron',
  'island', 'ivory', 'jacket', 'jaguar', 'jelly', 'jewel', 'jungle', 'kayak', 'kettle', 'kitten', 'koala',
  'ladder', 'lake', 'lamp', 'lemon', 'lentil', 'lily', 'lion', 'lizard', 'llama', 'lobster', 'lotus',
  'magnet', 'mango', 'maple', 'marble', 'meadow', 'melon', 'mirror', 'mitten', 'monkey', 'moose', 'mosaic',
  'motor', 'mountain', 'muffin', 'nectar', 'needle', 'nest', 'noodle', 'ocean', 'olive', 'onion', 'orbit',
  'orchid', 'otter', 'owl', 'paddle', 'panda', 'parrot', 'peach', 'pebble', 'pencil', 'pepper', 'piano',
  'pigeon', 'pilot', 'pirate', 'planet', 'plum', 'pocket', 'pony', 'potato', 'pumpkin', 'puzzle', 'quail',
  'quartz', 'rabbit', 'radar', 'radio', 'raven', 'ribbon', 'river', 'robin', 'rocket', 'saddle', 'salmon',
  'satin', 'scarf', 'shark', 'shell', 'silver', 'sled', 'snail', 'spider', 'spoon', 'squid', 'statue',
  'stone', 'sugar', 'sunset', 'swan', 'table', 'tiger', 'tomato', 'tractor', 'trumpet'
]

export function sasWords(bytes: Uint8Array): string[] {
  return Array.from(bytes, (b) => SAS_WORDS[b])
}
