// The feature stage's public header: field registry, selection by mutual information, versioned encoding
// schemas, the encoder and the batch reader the model stage consumes (docs/METHOD.md).
#pragma once

#include "features/batch_reader.h"
#include "features/encoder.h"
#include "features/feature_store.h"
#include "features/labels.h"
#include "features/ranking.h"
#include "features/registry.h"
#include "features/schema.h"
#include "features/select.h"
#include "features/tokenize.h"
#include "features/vocabulary.h"
