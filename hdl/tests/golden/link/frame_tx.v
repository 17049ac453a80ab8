

module t_frame_tx(clock,reset,start,seq,code,len,base,busy,rd_addr,rd_en,rd_data,tok_data,tok_end,tok_valid,tok_ready);
    
    // Module arguments
    input wire  clock;
    input wire  reset;
    input wire  start;
    input wire  [7:0] seq;
    input wire  [7:0] code;
    input wire  [15:0] len;
    input wire  [12:0] base;
    output reg  busy;
    output reg  [12:0] rd_addr;
    output reg  rd_en;
    input wire  [7:0] rd_data;
    output reg  [7:0] tok_data;
    output reg  tok_end;
    output reg  tok_valid;
    input wire  tok_ready;
    
    // Constant declarations
    localparam  ones = 32'hffffffff;
    
    // Enums
    localparam TxState$Idle = 0;
    localparam TxState$Header = 1;
    localparam TxState$Fetch = 2;
    localparam TxState$Offer = 3;
    localparam TxState$Crc = 4;
    localparam TxState$End = 5;
    
    // Stub signals
    reg  [31:0] crc$crc_in;
    reg  [7:0] crc$data;
    wire  [31:0] crc$crc_out;
    reg  [2:0] state$d;
    wire  [2:0] state$q;
    reg  state$clock;
    reg  [31:0] crc_reg$d;
    wire  [31:0] crc_reg$q;
    reg  crc_reg$clock;
    reg  [15:0] idx$d;
    wire  [15:0] idx$q;
    reg  idx$clock;
    reg  [7:0] seq_r$d;
    wire  [7:0] seq_r$q;
    reg  seq_r$clock;
    reg  [7:0] code_r$d;
    wire  [7:0] code_r$q;
    reg  code_r$clock;
    reg  [15:0] len_r$d;
    wire  [15:0] len_r$q;
    reg  len_r$clock;
    reg  [12:0] base_r$d;
    wire  [12:0] base_r$q;
    reg  base_r$clock;
    reg  [7:0] out$d;
    wire  [7:0] out$q;
    reg  out$clock;
    reg  is_end$d;
    wire  is_end$q;
    reg  is_end$clock;
    reg  valid$d;
    wire  valid$q;
    reg  valid$clock;
    
    // Local signals
    reg  free;
    reg  [7:0] next_byte;
    reg  [31:0] crc_bytes;
    
    // Sub module instances
    t_frame_tx$crc crc(
        .crc_in(crc$crc_in),
        .data(crc$data),
        .crc_out(crc$crc_out)
    );
    t_frame_tx$state state(
        .d(state$d),
        .q(state$q),
        .clock(state$clock)
    );
    t_frame_tx$crc_reg crc_reg(
        .d(crc_reg$d),
        .q(crc_reg$q),
        .clock(crc_reg$clock)
    );
    t_frame_tx$idx idx(
        .d(idx$d),
        .q(idx$q),
        .clock(idx$clock)
    );
    t_frame_tx$seq_r seq_r(
        .d(seq_r$d),
        .q(seq_r$q),
        .clock(seq_r$clock)
    );
    t_frame_tx$code_r code_r(
        .d(code_r$d),
        .q(code_r$q),
        .clock(code_r$clock)
    );
    t_frame_tx$len_r len_r(
        .d(len_r$d),
        .q(len_r$q),
        .clock(len_r$clock)
    );
    t_frame_tx$base_r base_r(
        .d(base_r$d),
        .q(base_r$q),
        .clock(base_r$clock)
    );
    t_frame_tx$out out(
        .d(out$d),
        .q(out$q),
        .clock(out$clock)
    );
    t_frame_tx$is_end is_end(
        .d(is_end$d),
        .q(is_end$q),
        .clock(is_end$clock)
    );
    t_frame_tx$valid valid(
        .d(valid$d),
        .q(valid$q),
        .clock(valid$clock)
    );
    
    // Update code
    always @(*) begin
        state$clock = clock;
        crc_reg$clock = clock;
        idx$clock = clock;
        seq_r$clock = clock;
        code_r$clock = clock;
        len_r$clock = clock;
        base_r$clock = clock;
        out$clock = clock;
        is_end$clock = clock;
        valid$clock = clock;
        state$d = state$q;
        crc_reg$d = crc_reg$q;
        idx$d = idx$q;
        seq_r$d = seq_r$q;
        code_r$d = code_r$q;
        len_r$d = len_r$q;
        base_r$d = base_r$q;
        out$d = out$q;
        is_end$d = is_end$q;
        valid$d = valid$q;
        tok_data = out$q;
        tok_end = is_end$q;
        tok_valid = valid$q;
        busy = (state$q != TxState$Idle) | valid$q;
        free = ~valid$q | tok_ready;
        rd_addr = base_r$q + ((idx$q) & 13'h1fff);
        rd_en = 1'b0;
        crc_bytes = ~crc_reg$q;
        next_byte = rd_data;
        if (state$q == TxState$Header) begin
            next_byte = seq_r$q;
            if (idx$q == 32'h1) begin
                next_byte = code_r$q;
            end
            if (idx$q == 32'h2) begin
                next_byte = ((len_r$q) & 8'hff);
            end
            if (idx$q == 32'h3) begin
                next_byte = ((len_r$q >> 32'h8) & 8'hff);
            end
        end
        if (state$q == TxState$Crc) begin
            next_byte = ((crc_bytes >> (((idx$q) & 32'hffffffff) << 32'h3)) & 8'hff);
        end
        crc$crc_in = crc_reg$q;
        crc$data = next_byte;
        if (free) begin
            valid$d = 1'b0;
        end
        case (state$q)
            TxState$Idle:
                begin
                    if (start) begin
                        seq_r$d = seq;
                        code_r$d = code;
                        len_r$d = len;
                        base_r$d = base;
                        crc_reg$d = ones;
                        idx$d = 32'h0;
                        state$d = TxState$Header;
                    end
                end
            TxState$Header:
                begin
                    if (free) begin
                        out$d = next_byte;
                        is_end$d = 1'b0;
                        valid$d = 1'b1;
                        crc_reg$d = crc$crc_out;
                        idx$d = idx$q + 32'h1;
                        if (idx$q == 32'h3) begin
                            idx$d = 32'h0;
                            if (len_r$q == 32'h0) begin
                                state$d = TxState$Crc;
                            end
                            else begin
                                state$d = TxState$Fetch;
                            end
                        end
                    end
                end
            TxState$Fetch:
                begin
                    rd_en = 1'b1;
                    state$d = TxState$Offer;
                end
            TxState$Offer:
                begin
                    if (free) begin
                        out$d = next_byte;
                        is_end$d = 1'b0;
                        valid$d = 1'b1;
                        crc_reg$d = crc$crc_out;
                        idx$d = idx$q + 32'h1;
                        state$d = TxState$Fetch;
                        if (idx$q + 32'h1 == len_r$q) begin
                            idx$d = 32'h0;
                            state$d = TxState$Crc;
                        end
                    end
                end
            TxState$Crc:
                begin
                    if (free) begin
                        out$d = next_byte;
                        is_end$d = 1'b0;
                        valid$d = 1'b1;
                        idx$d = idx$q + 32'h1;
                        if (idx$q == 32'h3) begin
                            state$d = TxState$End;
                        end
                    end
                end
            TxState$End:
                begin
                    if (free) begin
                        out$d = 32'h0;
                        is_end$d = 1'b1;
                        valid$d = 1'b1;
                        state$d = TxState$Idle;
                    end
                end
            default:
                begin
                    state$d = TxState$Idle;
                end
        endcase
        if (reset) begin
            state$d = TxState$Idle;
            valid$d = 1'b0;
        end
    end
    
endmodule // t_frame_tx


module t_frame_tx$base_r(d,q,clock);
    
    // Module arguments
    input wire  [12:0] d;
    output reg  [12:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 13'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_frame_tx$base_r


module t_frame_tx$code_r(d,q,clock);
    
    // Module arguments
    input wire  [7:0] d;
    output reg  [7:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 8'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_frame_tx$code_r


module t_frame_tx$crc(crc_in,data,crc_out);
    
    // Module arguments
    input wire  [31:0] crc_in;
    input wire  [7:0] data;
    output reg  [31:0] crc_out;
    
    // Constant declarations
    localparam  poly = 32'hedb88320;
    
    // Local signals
    reg  [31:0] s0;
    reg  [31:0] s1;
    reg  [31:0] s2;
    reg  [31:0] s3;
    reg  [31:0] s4;
    reg  [31:0] s5;
    reg  [31:0] s6;
    reg  [31:0] s7;
    
    // Update code
    always @(*) begin
        s0 = crc_in ^ ((data) & 32'hffffffff);
        s1 = s0 >> 32'h1;
        if (s0[32'h0]) begin
            s1 = (s0 >> 32'h1) ^ poly;
        end
        s2 = s1 >> 32'h1;
        if (s1[32'h0]) begin
            s2 = (s1 >> 32'h1) ^ poly;
        end
        s3 = s2 >> 32'h1;
        if (s2[32'h0]) begin
            s3 = (s2 >> 32'h1) ^ poly;
        end
        s4 = s3 >> 32'h1;
        if (s3[32'h0]) begin
            s4 = (s3 >> 32'h1) ^ poly;
        end
        s5 = s4 >> 32'h1;
        if (s4[32'h0]) begin
            s5 = (s4 >> 32'h1) ^ poly;
        end
        s6 = s5 >> 32'h1;
        if (s5[32'h0]) begin
            s6 = (s5 >> 32'h1) ^ poly;
        end
        s7 = s6 >> 32'h1;
        if (s6[32'h0]) begin
            s7 = (s6 >> 32'h1) ^ poly;
        end
        crc_out = s7 >> 32'h1;
        if (s7[32'h0]) begin
            crc_out = (s7 >> 32'h1) ^ poly;
        end
    end
    
endmodule // t_frame_tx$crc


module t_frame_tx$crc_reg(d,q,clock);
    
    // Module arguments
    input wire  [31:0] d;
    output reg  [31:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 32'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_frame_tx$crc_reg


module t_frame_tx$idx(d,q,clock);
    
    // Module arguments
    input wire  [15:0] d;
    output reg  [15:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 16'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_frame_tx$idx


module t_frame_tx$is_end(d,q,clock);
    
    // Module arguments
    input wire  d;
    output reg  q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 1'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_frame_tx$is_end


module t_frame_tx$len_r(d,q,clock);
    
    // Module arguments
    input wire  [15:0] d;
    output reg  [15:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 16'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_frame_tx$len_r


module t_frame_tx$out(d,q,clock);
    
    // Module arguments
    input wire  [7:0] d;
    output reg  [7:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 8'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_frame_tx$out


module t_frame_tx$seq_r(d,q,clock);
    
    // Module arguments
    input wire  [7:0] d;
    output reg  [7:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 8'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_frame_tx$seq_r


module t_frame_tx$state(d,q,clock);
    
    // Module arguments
    input wire  [2:0] d;
    output reg  [2:0] q;
    input wire  clock;
    
    // Enums
    localparam TxState$Idle = 0;
    localparam TxState$Header = 1;
    localparam TxState$Fetch = 2;
    localparam TxState$Offer = 3;
    localparam TxState$Crc = 4;
    localparam TxState$End = 5;
    
    // Update code (custom)
    initial begin
       q = 64'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_frame_tx$state


module t_frame_tx$valid(d,q,clock);
    
    // Module arguments
    input wire  d;
    output reg  q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 1'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_frame_tx$valid
